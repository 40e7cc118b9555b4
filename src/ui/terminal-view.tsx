import { Box, render, Static, Text, useInput } from 'ink';
import { useSyncExternalStore } from 'react';
import type { TerminalModel } from './terminal-model.js';

/** The view: scrollback in <Static>, a small live region with the frame and the prompt line. */
export function Terminal({ model }: { model: TerminalModel }) {
  const screen = useSyncExternalStore(model.subscribe, model.getSnapshot);
  useInput((input, key) => {
    if (key.ctrl && input === 'c') model.key('ctrl-c');
    else if (key.ctrl && input === 'd') model.key('ctrl-d');
    else if (key.return) model.key('enter');
    else if (key.backspace || key.delete) model.key('backspace');
    else if (key.upArrow) model.key('up');
    else if (key.downArrow) model.key('down');
    else if (!key.ctrl && !key.meta && input) {
      // pasted text (or fast typing) arrives in one piece: each line break is an Enter
      const lines = input.split(/\r\n|\r|\n/);
      lines.forEach((line, i) => {
        if (line) model.type(line);
        if (i < lines.length - 1) model.key('enter');
      });
    }
  });
  return (
    <>
      <Static items={screen.lines}>{(line) => <Text key={line.id}>{line.text === '' ? ' ' : line.text}</Text>}</Static>
      <Box flexDirection="column">
        {screen.frame !== null && <Text>{screen.frame}</Text>}
        {screen.prompt !== null ? (
          <Text>
            {screen.prompt}
            {screen.buffer}
            <Text inverse> </Text>
          </Text>
        ) : (
          screen.partial !== '' && <Text>{screen.partial}</Text>
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
