import { Box, render, Static, Text, useStdin, useStdout } from 'ink';
import { useEffect, useLayoutEffect, useRef, useSyncExternalStore } from 'react';
import { decodeInput } from '../conversation/keys.js';
import type { TerminalModel, TerminalSnapshot } from './terminal-model.js';

/** Clears the screen and the scrollback of an xterm-like terminal, cursor home (Ctrl-L). */
const CLEAR_SCREEN = '\u001b[2J\u001b[3J\u001b[H';

/**
 * Feeds the model with keys. ink's own key parsing cannot tell Backspace (DEL) from Delete, so the
 * raw key sequences ink splits its input into are decoded here, read from ink's internal emitter
 * (ink is pinned to a tilde range; test/contracts/ink.test.tsx checks the emitter).
 */
function useKeys(model: TerminalModel): void {
  const { setRawMode, internal_eventEmitter: input } = useStdin();
  useEffect(() => {
    setRawMode(true);
    return () => setRawMode(false);
  }, [setRawMode]);
  useEffect(() => {
    const onInput = (data: string) => {
      for (const event of decodeInput(data)) {
        if ('key' in event) model.key(event.key);
        else model.type(event.text);
      }
    };
    input.on('input', onInput);
    return () => void input.off('input', onInput);
  }, [input, model]);
}

/** Ctrl-L: the terminal is cleared, ink then draws the live region again at the top. */
function useClearScreen(clears: number): void {
  const { write } = useStdout();
  const seen = useRef(clears);
  useEffect(() => {
    if (clears === seen.current) return;
    seen.current = clears;
    write(CLEAR_SCREEN);
  }, [clears, write]);
}

/** The prompt line: the prompt (or the reverse-i-search prompt), the line, and the cursor cell. */
function PromptLine({ screen }: { screen: TerminalSnapshot }) {
  const { buffer, cursor, search } = screen;
  const prompt = search ? `(${search.failed ? 'failed ' : ''}reverse-i-search)\`${search.query}': ` : screen.prompt;
  return (
    <Text>
      {prompt}
      {buffer.slice(0, cursor)}
      <Text inverse>{buffer[cursor] ?? ' '}</Text>
      {buffer.slice(cursor + 1)}
    </Text>
  );
}

/**
 * Finished lines are printed once by <Static> and then leave the model's state (`printed`). Each
 * batch gets a <Static> of its own (keyed by its first line): <Static> prints the items past those
 * it has seen, which only works while its list grows, and the model's list shrinks.
 */
function usePrinted(model: TerminalModel, lines: TerminalSnapshot['lines']): void {
  useLayoutEffect(() => {
    const last = lines.at(-1);
    if (last) model.printed(last.id);
  }, [model, lines]);
}

/** The view: finished lines printed once through <Static>, then a small live region: frame, progress, prompt line, live-view footer. */
export function Terminal({ model }: { model: TerminalModel }) {
  const screen = useSyncExternalStore(model.subscribe, model.getSnapshot);
  useKeys(model);
  useClearScreen(screen.clears);
  usePrinted(model, screen.lines);
  return (
    <>
      <Static key={screen.lines[0]?.id ?? -1} items={screen.lines}>
        {(line) => <Text key={line.id}>{line.text === '' ? ' ' : line.text}</Text>}
      </Static>
      <Box flexDirection="column">
        {screen.frame !== null && <Text>{screen.frame}</Text>}
        {screen.progress !== null && <Text>{screen.progress}</Text>}
        {screen.prompt !== null ? <PromptLine screen={screen} /> : screen.partial !== '' && <Text>{screen.partial}</Text>}
        {screen.live !== null && (
          <Box marginTop={screen.frame === null ? 0 : 1}>
            <Text>{screen.live}</Text>
          </Box>
        )}
      </Box>
    </>
  );
}

/**
 * Draws the terminal model with ink until unmounted. This module holds everything that needs ink
 * and react (ESM only), so the command line's own code never loads them unless a shell opens.
 */
export function mountTerminal(model: TerminalModel, streams: { stdin?: NodeJS.ReadStream; stdout?: NodeJS.WriteStream }) {
  // undefined must not override ink's own defaults (process.stdin/stdout)
  const given = { ...(streams.stdin ? { stdin: streams.stdin } : {}), ...(streams.stdout ? { stdout: streams.stdout } : {}) };
  return render(<Terminal model={model} />, { exitOnCtrlC: false, patchConsole: false, ...given });
}
