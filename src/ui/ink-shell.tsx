import { Box, render, Static, Text, useInput } from 'ink';
import { useSyncExternalStore } from 'react';
import { Shell } from '../cli/execute.js';
import type { CommandSpec } from '../commands/types.js';
import type { Appliance } from '../engine/appliance.js';
import { TerminalModel } from './terminal-model.js';

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

export interface InkShellOptions {
  appliance: Appliance;
  registry: readonly CommandSpec[];
  banner?: string;
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
}

/** Opens the interactive AsyncOS command line in the terminal until quit/exit or Ctrl-D. */
export async function runInkShell(options: InkShellOptions): Promise<void> {
  const holder: { shell?: Shell } = {};
  const model = new TerminalModel(() => holder.shell?.interrupt());
  const shell = (holder.shell = new Shell({ appliance: options.appliance, registry: options.registry, io: model, interactive: true, banner: options.banner }));
  // undefined must not override ink's own defaults (process.stdin/stdout)
  const streams = { ...(options.stdin ? { stdin: options.stdin } : {}), ...(options.stdout ? { stdout: options.stdout } : {}) };
  const app = render(<Terminal model={model} />, { exitOnCtrlC: false, patchConsole: false, ...streams });
  try {
    await shell.run();
  } finally {
    app.unmount();
    await app.waitUntilExit();
  }
}
