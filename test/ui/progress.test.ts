import { rmSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { Conversation } from '../../src/conversation/conversation.js';
import { streamFront } from '../../src/ui/stream-front.js';
import { refuse, startIntake } from '../helpers/engine.js';
import { describeTerminal, openTerminal } from '../helpers/pty.js';
import { runBinary } from '../helpers/run-main.js';
import { tempHome } from '../helpers/scripted.js';

const CLEAR_LINE = '\r\u001b[2K';
// eslint-disable-next-line no-control-regex
const SGR = /\u001b\[[\d;]*m/;

/** Everything written to a stream that says it is (or is not) a terminal. */
function capture(isTTY: boolean) {
  const stream = Object.assign(new PassThrough(), { isTTY });
  let text = '';
  stream.on('data', (d) => (text += d));
  return { stream, text: () => text };
}

/** A progress run through a Conversation: `n` updates in a burst, then the summary. */
function run(front: ReturnType<typeof streamFront>, write: (t: string) => void, n: number) {
  const io = new Conversation({ write, readLine: async () => null, ...front });
  for (let i = 1; i <= n; i++) io.progress(`Injecting ${i}/${n}`);
  io.print('Injected 40 messages.');
}

describe('progress through a Conversation', () => {
  it('on a terminal: one line redrawn in place, its last state left above the summary', () => {
    const out = capture(true);
    run(streamFront({ stdout: out.stream, env: {} }), (t) => void out.stream.write(t), 40);
    // the burst is throttled: the first state at once, the last one when the summary comes
    expect(out.text()).toBe(`${CLEAR_LINE}Injecting 1/40${CLEAR_LINE}Injecting 40/40\nInjected 40 messages.\n`);
  });

  it('in a pipe or a CI log: only the summary', () => {
    for (const [isTTY, env] of [
      [false, {}],
      [true, { CI: 'true' }],
      [true, { GITHUB_ACTIONS: 'true', CI_COMMIT_SHA: 'abc' }],
    ] as const) {
      const out = capture(isTTY);
      run(streamFront({ stdout: out.stream, env }), (t) => void out.stream.write(t), 40);
      expect(out.text()).toBe('Injected 40 messages.\n');
    }
  });

  it('redraws at most every 100 ms, and never draws a state twice', async () => {
    const drawn: (string | null)[] = [];
    const io = new Conversation({ write: () => undefined, readLine: async () => null, progress: (t) => void drawn.push(t) });
    io.progress('1');
    io.progress('2');
    await new Promise((r) => setTimeout(r, 120));
    io.progress('3');
    io.progress('4');
    io.endProgress();
    io.print('done');
    expect(drawn).toEqual(['1', '3', '4', null]);
  });
});

describeTerminal('inject progress from the real binary', () => {
  let home: string;
  let intake: Awaited<ReturnType<typeof startIntake>>;
  beforeEach(async () => {
    home = tempHome();
    // a real SMTP server on loopback that takes its time and refuses every third recipient
    intake = await startIntake(home, { tls: false, dataDelayMs: 15, onRcpt: (n) => (n % 3 === 0 ? refuse(550, '5.1.1 User unknown') : null) });
  });
  afterEach(async () => {
    await intake.close();
    rmSync(home, { recursive: true, force: true });
  });
  const inject = (count: number) => ['--home', home, 'inject', '--count', String(count), '--to', 'user@example.com', '--port', String(intake.port), '--concurrency', '1'];

  it('piped: only the summary, no escape codes, no progress lines', async () => {
    const { code, stdout } = await runBinary(inject(30));
    expect(code).toBe(0);
    expect(stdout).not.toContain('\u001b');
    expect(stdout).not.toContain('Injecting');
    expect(stdout).toMatch(/^Injected 30 messages in [\d.]+ s \([\d,]+ msg\/s\)\.\n {2}Accepted: 20\n {2}Refused: {2}10\n {4}10 x 550 5\.1\.1 User unknown\n$/);
  });

  it('in a terminal: the bar is redrawn on one line, then the summary; refusals in colour, none with NO_COLOR', async () => {
    const term = await openTerminal(inject(30), { FORCE_COLOR: undefined });
    expect(await term.exited).toBe(0);
    const raw = term.raw().replace(/\r\n/g, '\n');
    const bars = raw.split(CLEAR_LINE).slice(1);
    expect(bars.length).toBeGreaterThan(2);
    // every redraw but the last stays on the same line; the last one ends it
    expect(bars.slice(0, -1).every((b) => /^Injecting \[[#-]{30}\] \d+\/30$/.test(b))).toBe(true);
    expect(bars.at(-1)).toMatch(/^Injecting \[#{30}\] 30\/30\nInjected 30 messages/);
    expect(raw).toContain('\u001b[33m  Refused:  10\u001b[39m');

    const plain = await openTerminal(inject(3), { FORCE_COLOR: undefined, NO_COLOR: '1' });
    expect(await plain.exited).toBe(0);
    expect(plain.raw()).toContain('  Refused:  1');
    expect(plain.raw()).not.toMatch(SGR);
  }, 60_000);

  it('after Ctrl-C the summary agrees with the last state of the bar', async () => {
    const term = await openTerminal(inject(1000), { FORCE_COLOR: undefined });
    await term.expectText(/Injecting \[[#-]+\] \d{2,}\/1,000/);
    term.key('\u0003');
    expect(await term.exited).toBe(130);
    const raw = term.raw().replace(/\r\n/g, '\n');
    const lastBar = raw.split(CLEAR_LINE).at(-1)!;
    const shown = Number(/^Injecting \[[#-]+\] ([\d,]+)\/1,000\n/.exec(lastBar)![1]!.replace(',', ''));
    expect(shown).toBeLessThan(1000);
    expect(lastBar).toContain(`Interrupted: ${shown} of 1,000 messages sent.`);
    expect(lastBar).toContain(`Injected ${shown} messages in`);
    const accepted = Number(/Accepted: (\d+)/.exec(lastBar)![1]);
    const refused = Number(/Refused: +(\d+)/.exec(lastBar)![1]);
    expect(accepted + refused).toBe(shown);
  }, 60_000);
});

describe('progress in the ink shell', () => {
  it('is one line of the live region, replaced by each update and left in the scrollback as last drawn', async () => {
    const { TerminalModel } = await import('../../src/ui/terminal-model.js');
    const model = new TerminalModel();
    const io = new Conversation(model);
    io.progress('Injecting 1/3');
    expect(model.getSnapshot()).toMatchObject({ progress: 'Injecting 1/3', lines: [] });
    io.progress('Injecting 2/3');
    io.progress('Injecting 3/3');
    io.print('Injected 3 messages.');
    expect(model.getSnapshot().progress).toBeNull();
    expect(model.getSnapshot().lines.map((l) => l.text)).toEqual(['Injecting 3/3', 'Injected 3 messages.']);

    const ci = new TerminalModel(() => undefined, { progress: false });
    const quiet = new Conversation(ci);
    quiet.progress('Injecting 1/3');
    quiet.print('Injected 3 messages.');
    expect(ci.getSnapshot().lines.map((l) => l.text)).toEqual(['Injected 3 messages.']);
  });
});
