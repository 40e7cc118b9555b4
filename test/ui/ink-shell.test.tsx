import { render } from 'ink-testing-library';
import { Shell } from '../../src/cli/execute.js';
import { commandRegistry } from '../../src/commands/registry.js';
import { Appliance } from '../../src/engine/appliance.js';
import { Terminal } from '../../src/ui/ink-shell.js';
import { TerminalModel } from '../../src/ui/terminal-model.js';
import { tempHome } from '../helpers/scripted.js';

/** Waits for a frame that satisfies the check instead of sleeping a fixed time. */
async function waitForFrame(ui: { frames: string[] }, check: (screen: string) => boolean, timeoutMs = 5000): Promise<string> {
  const started = Date.now();
  for (;;) {
    // <Static> lines are written once, so the screen is every frame so far, the live one last
    const frame = ui.frames.join('\n');
    if (check(frame)) return frame;
    if (Date.now() - started > timeoutMs) throw new Error(`frame never matched; last frame:\n${frame}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('the ink shell', () => {
  it('shows the hostname prompt, runs commands, recalls history and leaves a dialog on Ctrl-C', async () => {
    const holder: { shell?: Shell } = {};
    const model = new TerminalModel(() => holder.shell?.interrupt());
    const appliance = new Appliance({ home: tempHome() });
    const shell = (holder.shell = new Shell({ appliance, registry: commandRegistry(), io: model, interactive: true }));
    const done = shell.run();
    const ui = render(<Terminal model={model} />);
    await waitForFrame(ui, (f) => f.includes('esa1.example.com>'));

    model.type('sethostname esa4.example.com');
    model.key('enter');
    model.type('commit');
    model.key('enter');
    await waitForFrame(ui, (f) => f.includes('Please enter some comments describing your changes:'));
    model.key('ctrl-c'); // leaves the commit dialog, back at the prompt
    await waitForFrame(ui, (f) => f.includes('[]> ^C') && f.trimEnd().endsWith('esa1.example.com>'));
    expect(appliance.config.hasChanges()).toBe(true);

    model.key('up'); // history recall: the last command
    await waitForFrame(ui, (f) => f.trimEnd().endsWith('esa1.example.com> commit'));
    model.key('enter');
    await waitForFrame(ui, (f) => f.trimEnd().endsWith('[]>'));
    model.type('via ink');
    model.key('enter');
    await waitForFrame(ui, (f) => f.includes('Changes committed:') && f.includes('esa4.example.com>'));

    model.type('quit');
    model.key('enter');
    await done;
    ui.unmount();
  });
});
