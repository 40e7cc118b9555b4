import { Shell } from '../cli/execute.js';
import type { CommandSpec } from '../commands/types.js';
import type { Appliance } from '../engine/appliance.js';
import { TerminalModel } from './terminal-model.js';

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
  const { mountTerminal } = await import('./terminal-view.js');
  const app = mountTerminal(model, options);
  try {
    await shell.run();
  } finally {
    app.unmount();
    await app.waitUntilExit();
  }
}
