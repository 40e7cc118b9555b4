import { Appliance } from '../../src/engine/appliance.js';
import { openInkShell as openShell, waitForFrame } from '../helpers/ink.js';
import { consoleSession, tempHome } from '../helpers/scripted.js';

describe('the ink shell', () => {
  it('shows the hostname prompt, runs commands, recalls history and leaves a dialog on Ctrl-C', async () => {
    const appliance = new Appliance({ home: tempHome() });
    const { model, ui, done } = await openShell(appliance);

    model.type('sethostname esa4.example.com');
    model.key('enter');
    model.type('commit');
    model.key('enter');
    await waitForFrame(ui, (f) => f.includes('Please enter some comments describing your changes:'));
    model.key('ctrl-c'); // leaves the commit dialog, back at the prompt
    await waitForFrame(ui, (f) => f.includes('[]> ^C') && f.trimEnd().endsWith('esa1.example.com>'));
    expect(consoleSession(appliance).config.hasChanges()).toBe(true);

    model.key('up'); // history recall: the last command
    await waitForFrame(ui, (f) => f.trimEnd().endsWith('esa1.example.com> commit'));
    model.key('enter');
    await waitForFrame(ui, (f) => f.trimEnd().endsWith('[]>'));
    model.type('via ink');
    model.key('enter');
    await waitForFrame(ui, (f) => f.trimEnd().endsWith('Do you want to save the current configuration for rollback? [Y]>'));
    model.key('enter');
    await waitForFrame(ui, (f) => f.includes('Changes committed:') && f.includes('esa4.example.com>'));

    model.type('quit');
    model.key('enter');
    await done;
    ui.unmount();
  });
});

describe('live tophosts in the ink shell', () => {
  it('refreshes the table in place while counters move, until a key is pressed', async () => {
    const { fakeLive, host } = await import('../helpers/fake-live.js');
    const tdc = host('the.tdc.queue', { activeRecipients: 5, connectionsOut: 3, deliveredRecipients: 1_000 });
    const appliance = new Appliance({ home: tempHome() });
    appliance.live = fakeLive([tdc]).live;
    const { model, ui, done } = await openShell(appliance);
    model.type('tophosts --sort delivered --watch 0.05');
    model.key('enter');
    await waitForFrame(ui, () => (ui.lastFrame() ?? '').includes('1,000'));
    tdc.deliveredRecipients = 104_163; // mail flows
    await waitForFrame(ui, () => (ui.lastFrame() ?? '').includes('104,163'));
    expect(ui.lastFrame()).toContain('Refreshing every 0.05 s');
    model.type('q'); // any key ends the live view
    await waitForFrame(ui, () => (ui.lastFrame() ?? '').trimEnd().endsWith('esa1.example.com>'));
    model.type('quit');
    model.key('enter');
    await done;
    ui.unmount();
  });
});

describe('scrollback in the ink shell', () => {
  it('prints each finished line once and keeps none of them in state: a long tail costs what is on screen', async () => {
    const { render } = await import('ink-testing-library');
    const { Terminal } = await import('../../src/ui/terminal-view.js');
    const { TerminalModel } = await import('../../src/ui/terminal-model.js');
    const model = new TerminalModel();
    const ui = render(<Terminal model={model} />);
    try {
      // bursts written faster than the view draws, and single lines, as a busy tail writes them
      for (let burst = 0; burst < 20; burst++) {
        model.write(Array.from({ length: 50 }, (_, i) => `line ${burst * 50 + i}\n`).join(''));
        if (burst % 5 === 0) await new Promise((r) => setTimeout(r, 0));
      }
      model.write('partial');
      await waitForFrame(ui, (f) => f.includes('line 999') && f.trimEnd().endsWith('partial'));
      expect(model.getSnapshot().lines).toEqual([]);
      const screen = (ui.lastFrame() ?? '').split('\n');
      for (let i = 0; i < 1000; i++) expect(screen.filter((l) => l === `line ${i}`)).toHaveLength(1);
      expect(screen.at(-1)).toBe('partial');
    } finally {
      ui.unmount();
    }
  });
});
