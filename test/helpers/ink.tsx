import { render } from 'ink-testing-library';
import { Shell } from '../../src/cli/execute.js';
import { commandRegistry } from '../../src/commands/registry.js';
import type { Appliance } from '../../src/engine/appliance.js';
import { registryCompletions } from '../../src/ui/completion.js';
import { Terminal } from '../../src/ui/terminal-view.js';
import { TerminalModel, type TerminalModelOptions } from '../../src/ui/terminal-model.js';
import { consoleSession } from './scripted.js';

/** Waits for a frame that satisfies the check instead of sleeping a fixed time. */
export async function waitForFrame(ui: { frames: string[] }, check: (screen: string) => boolean, timeoutMs = 5000): Promise<string> {
  const started = Date.now();
  for (;;) {
    // <Static> lines are written once, so the screen is every frame so far, the live one last
    const frame = ui.frames.join('\n');
    if (check(frame)) return frame;
    if (Date.now() - started > timeoutMs) throw new Error(`frame never matched; last frame:\n${frame}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * The ink shell on an appliance, drawn by ink-testing-library: the model takes keys (or ui.stdin
 * takes raw terminal input), ui has the frames. Tab completes from the command registry.
 */
export async function openInkShell(appliance: Appliance, options: TerminalModelOptions = {}) {
  const holder: { shell?: Shell } = {};
  const model = new TerminalModel(() => holder.shell?.interrupt(), { completion: registryCompletions(commandRegistry()), ...options });
  const shell = (holder.shell = new Shell({ appliance, session: consoleSession(appliance), registry: commandRegistry(), io: model, interactive: true }));
  const done = shell.run();
  const ui = render(<Terminal model={model} />);
  await waitForFrame(ui, (f) => f.includes('esa1.example.com>'));
  /** the live region: the prompt line (and a frame) as drawn now */
  const live = () => (ui.lastFrame() ?? '').trimEnd();
  /** every line on the screen: what was printed (ink-testing-library draws it all in each frame), then the live region */
  const screenLines = () => (ui.lastFrame() ?? '').split('\n');
  return { model, ui, done, live, screenLines };
}
