import type { LineIO } from '../conversation/line-io.js';
import { commandRegistry } from '../commands/registry.js';
import { registryCompletions } from './completion.js';
import { Pager, pagedLineIO } from '../conversation/pager.js';
import { isCi } from './stream-front.js';
import { streamStyles } from './styles.js';
import { TerminalModel } from './terminal-model.js';

/** What drives the terminal: a shell in this process, or one attached to a running appliance. */
export interface ShellDriver {
  /** resolves when the shell ends (quit, Ctrl-D, or the appliance went away) */
  run(): Promise<void>;
  /** Ctrl-C, or a key that ends a live view */
  interrupt(): void;
}

export interface InkShellOptions {
  /** builds the shell that reads and writes through the terminal */
  drive(io: LineIO): ShellDriver;
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
  /** where NO_COLOR, FORCE_COLOR and CI are read (process.env by default) */
  env?: NodeJS.ProcessEnv;
}

/** Opens the interactive AsyncOS command line in the terminal until the shell ends. */
export async function runInkShell(options: InkShellOptions): Promise<void> {
  const holder: { driver?: ShellDriver } = {};
  const env = options.env ?? process.env;
  const model = new TerminalModel(() => holder.driver?.interrupt(), {
    styles: streamStyles(options.stdout ?? process.stdout, env),
    completion: registryCompletions(commandRegistry()),
    progress: !isCi(env),
  });
  const stdout = options.stdout ?? process.stdout;
  // the pager reads the terminal's size at each page: a resized window pages by its new height
  const pager = new Pager({ write: (text) => model.write(text), readKey: () => model.readKey(), rows: () => stdout.rows, columns: () => stdout.columns });
  const driver = (holder.driver = options.drive(pagedLineIO(model, pager)));
  const { mountTerminal } = await import('./terminal-view.js');
  const app = mountTerminal(model, options);
  try {
    await driver.run();
  } finally {
    app.unmount();
    await app.waitUntilExit();
  }
}
