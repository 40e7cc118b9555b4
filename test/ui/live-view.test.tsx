import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { attachShell, connectControl, serveControlSocket } from '../../src/cli/control-socket.js';
import { commandRegistry } from '../../src/commands/registry.js';
import { Appliance } from '../../src/engine/appliance.js';
import { markChanges } from '../../src/ui/changed-cells.js';
import { isLiveViewStopKey } from '../../src/ui/live-keys.js';
import { stylesFor } from '../../src/ui/styles.js';
import { TerminalModel } from '../../src/ui/terminal-model.js';
import { waitFor } from '../helpers/engine.js';
import { openInkShell, waitForFrame } from '../helpers/ink.js';
import { tempHome } from '../helpers/scripted.js';

const FOOTER = 'Following mail_logs. Press q, Esc, Enter or Ctrl-C to stop.';

const mailCurrent = (appliance: Appliance) => `${appliance.paths.logs}/mail_logs/mail.current`;

function applianceWithLog(home: string): Appliance {
  const appliance = new Appliance({ home });
  mkdirSync(`${appliance.paths.logs}/mail_logs`, { recursive: true });
  writeFileSync(mailCurrent(appliance), 'Fri Feb 16 21:19:20 2024 Info: Start MID 1 ICID 1\n');
  return appliance;
}

describe('keys typed during a live view', () => {
  let home: string;
  beforeEach(() => (home = tempHome()));
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('belong to tail: other keys are dropped, q, Esc and Enter end it, and nothing reaches the next prompt', async () => {
    const appliance = applianceWithLog(home);
    const { ui, model, live, done, screenLines } = await openInkShell(appliance);
    for (const stop of ['q', '\u001b', '\r']) {
      ui.stdin.write('tail mail_logs\r');
      await waitForFrame(ui, () => live().endsWith(FOOTER));
      appendFileSync(mailCurrent(appliance), `Fri Feb 16 21:19:25 2024 Info: Start MID ${stop.charCodeAt(0)} ICID 2\n`);
      await waitForFrame(ui, () => screenLines().some((l) => l.includes(`MID ${stop.charCodeAt(0)} `)));
      ui.stdin.write('grep x');
      ui.stdin.write('\u007f'); // Backspace is the view's too
      ui.stdin.write(stop);
      await waitForFrame(ui, () => live().endsWith('esa1.example.com>'));
      expect(model.getSnapshot()).toMatchObject({ buffer: '', live: null });
    }
    ui.stdin.write('version\r');
    await waitForFrame(ui, () => screenLines().some((l) => l === 'esa1.example.com> version'));
    expect(screenLines().filter((t) => t.includes('grep'))).toEqual([]);
    ui.stdin.write('quit\r');
    await done;
    ui.unmount();
  });

  it('after the view ended, keys until the next prompt still go nowhere; type-ahead during an ordinary command is kept', async () => {
    const model = new TerminalModel();
    model.live('Following mail_logs.');
    model.type('q'); // ends the view (no shell here: nothing to interrupt)
    model.live(null);
    model.type('qq'); // pressed twice, the second after the view ended
    void model.readLine('esa1.example.com> ');
    expect(model.getSnapshot()).toMatchObject({ prompt: 'esa1.example.com> ', buffer: '' });
    model.key('enter');
    // an ordinary command runs: what is typed meanwhile waits for the next prompt
    model.type('version');
    model.key('enter');
    expect(await model.readLine('esa1.example.com> ')).toBe('version');
  });

  it('the stop keys are the same for a front end that reads the keyboard itself', () => {
    for (const key of ['q', 'Q', 'xq', '\u001b', '\r', '\u0003']) expect(isLiveViewStopKey(key)).toBe(true);
    for (const key of ['x', ' ', '\u001b[A', '\u007f']) expect(isLiveViewStopKey(key)).toBe(false);
  });

  it('a shell attached over the control socket: the footer comes over, q ends tail on the appliance, the prompt stays clean', async () => {
    const appliance = applianceWithLog(home);
    const server = await serveControlSocket(appliance, commandRegistry());
    try {
      const socket = await connectControl(appliance.paths.socket);
      const holder: { interrupt?: () => void } = {};
      const model = new TerminalModel(() => holder.interrupt?.());
      const attached = attachShell(socket!, model, true, 0);
      holder.interrupt = attached.interrupt;
      await waitFor(() => model.getSnapshot().prompt === 'esa1.example.com> ');
      model.type('tail mail_logs');
      model.key('enter');
      await waitFor(() => model.getSnapshot().live === FOOTER);
      model.type('x');
      model.type('q');
      await waitFor(() => model.getSnapshot().prompt === 'esa1.example.com> ');
      expect(model.getSnapshot()).toMatchObject({ buffer: '', live: null });
      model.type('quit');
      model.key('enter');
      await attached.done;
    } finally {
      await server.close();
    }
  });
});

describe('what changed in a refreshing view', () => {
  const mark = (cell: string) => `[${cell}]`;
  it('is marked cell by cell on a colour terminal, the text unchanged', () => {
    const before = 'Host             Active\nthe.tdc.queue         5\nexample.com         12';
    const after = 'Host             Active\nthe.tdc.queue        15\nexample.com         12';
    expect(markChanges(before, after, mark)).toBe('Host             Active\nthe.tdc.queue        [15]\nexample.com         12');
    expect(markChanges(null, after, mark)).toBe(after);

    const model = new TerminalModel(() => undefined, { styles: stylesFor(1) });
    model.frame(before);
    model.frame(after);
    const shown = model.getSnapshot().frame!;
    expect(shown).toContain('\u001b[1m\u001b[33m15\u001b[39m\u001b[22m');
    expect(shown.replace(/\u001b\[\d+m/g, '')).toBe(after); // eslint-disable-line no-control-regex

    const plain = new TerminalModel();
    plain.frame(before);
    plain.frame(after);
    expect(plain.getSnapshot().frame).toBe(after);
  });
});

describe('a live view on a plain output stream (one-shot runs)', () => {
  it('on a terminal: the footer under every redrawn screen; in a pipe: no footer, each refresh printed', async () => {
    const { PassThrough } = await import('node:stream');
    const { Conversation } = await import('../../src/conversation/conversation.js');
    const { streamFront } = await import('../../src/ui/stream-front.js');
    for (const isTTY of [true, false]) {
      const stdout = Object.assign(new PassThrough(), { isTTY });
      let text = '';
      stdout.on('data', (d) => (text += d));
      const io = new Conversation({ write: (t) => void stdout.write(t), readLine: async () => null, ...streamFront({ stdout, env: { NO_COLOR: '1' } }) });
      await io.live('Refreshing every 1 s.', async () => {
        io.frame('screen 1');
        io.frame('screen 2');
      });
      io.print('after');
      const footer = 'Refreshing every 1 s. Press Ctrl-C to stop.'; // no keyboard given: Ctrl-C is what works
      expect(text).toBe(isTTY ? `${footer}\n\u001b[H\u001b[2Jscreen 1\n\n${footer}\n\u001b[H\u001b[2Jscreen 2\n\n${footer}\nafter\n` : 'screen 1\nscreen 2\nafter\n');
    }
  });
});
