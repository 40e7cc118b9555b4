import { spawn } from 'node:child_process';
import { ERASE_MORE, MORE_PROMPT, Pager, pagedLineIO } from '../../src/conversation/pager.js';
import { TerminalModel } from '../../src/ui/terminal-model.js';
import { describeTerminal, openTerminal } from '../helpers/pty.js';
import { waitFor } from '../helpers/engine.js';
import { BIN, runBinary } from '../helpers/run-main.js';
import { killAfterFile } from '../helpers/cleanup.js';
import { labHome } from '../helpers/scripted.js';

/** A terminal of `rows` x `columns` that records what is written and answers key reads from a list. */
function fakeTerminal(rows: number, keys: string[], columns = 80) {
  let out = '';
  const waiting: ((key: string) => void)[] = [];
  return {
    out: () => out,
    write: (text: string) => void (out += text),
    readKey: () => new Promise<string>((resolve) => (keys.length > 0 ? setImmediate(() => resolve(keys.shift()!)) : waiting.push(resolve))),
    press: (key: string) => waiting.shift()?.(key),
    waiting: () => waiting.length,
    rows: () => rows,
    columns: () => columns,
  };
}

const numbered = (n: number) => Array.from({ length: n }, (_, i) => `line ${i + 1}\n`).join('');

describe('the pager', () => {
  it('stops a page short of the terminal height, erases its prompt with \\r<spaces>\\r, q drops the rest until the next input', async () => {
    const term = fakeTerminal(5, [' ', 'q']);
    const pager = new Pager(term);
    pager.write(numbered(20));
    await pager.idle();
    // 4 lines, the prompt, a space: 4 more, the prompt, q: nothing more
    expect(term.out()).toBe(`${numbered(4)}${MORE_PROMPT}${ERASE_MORE}${numbered(8).slice(numbered(4).length)}${MORE_PROMPT}${ERASE_MORE}`);
    expect(ERASE_MORE).toBe(`\r${' '.repeat(24)}\r`);
    pager.write('dropped\n');
    await pager.idle();
    expect(term.out()).not.toContain('dropped');
    pager.input();
    pager.write('shown\n');
    await pager.idle();
    expect(term.out().endsWith('shown\n')).toBe(true);
  });

  it('counts wrapped rows of long lines, holds later writes while the prompt waits, and lets Enter go on', async () => {
    const term = fakeTerminal(4, [], 10);
    const pager = new Pager(term);
    pager.write(`${'x'.repeat(25)}\n`); // 3 rows of 10 columns
    pager.write('next\n');
    pager.write('after\n');
    await new Promise((r) => setImmediate(r));
    expect(term.out()).toBe(`${'x'.repeat(25)}\n${MORE_PROMPT}`);
    expect(term.waiting()).toBe(1);
    term.press('\r');
    await pager.idle();
    expect(term.out()).toBe(`${'x'.repeat(25)}\n${MORE_PROMPT}${ERASE_MORE}next\nafter\n`);
  });

  it('does not page when turned off (setttymode), during a live view, or on a terminal of unknown height', async () => {
    for (const setUp of [(p: Pager) => void (p.enabled = false), (p: Pager) => p.live(true)]) {
      const term = fakeTerminal(5, []);
      const pager = new Pager(term);
      setUp(pager);
      pager.write(numbered(30));
      await pager.idle();
      expect(term.out()).toBe(numbered(30));
    }
    const unknown = { ...fakeTerminal(5, []), rows: () => undefined };
    const pager = new Pager(unknown);
    pager.write(numbered(30));
    await pager.idle();
    expect(unknown.out()).toBe(numbered(30));
  });

  it("in the shell's terminal model: the prompt shows below the page, and after a key nothing of it is left", async () => {
    const model = new TerminalModel();
    const pager = new Pager({ write: (t) => model.write(t), readKey: () => model.readKey(), rows: () => 4, columns: () => 80 });
    const io = pagedLineIO(model, pager);
    io.write(numbered(5));
    await new Promise((r) => setImmediate(r));
    expect(model.getSnapshot().partial).toBe(MORE_PROMPT);
    model.type(' ');
    const asked = io.readLine('esa1.example.com> ');
    await new Promise((r) => setImmediate(r));
    const shown = model.getSnapshot();
    expect(shown.lines.map((l) => l.text)).toEqual(['line 1', 'line 2', 'line 3', 'line 4', 'line 5']);
    expect(shown.prompt).toBe('esa1.example.com> ');
    model.key('enter');
    await asked;
  });
});

describeTerminal('the pager in a real terminal', () => {
  it('pages status detail at -Press Any Key For More-: a key goes on, q stops; setttymode 0 1 turns it off for the session', async () => {
    const home = labHome();
    const term = await openTerminal(['--home', home], {}, { rows: 20, cols: 100 });
    const LAST = 'Kilobytes Free'; // the last line of status detail
    const backAtPrompt = () => /esa1\.example\.com>\s*$/.test(term.plain());
    try {
      await term.expectText('esa1.example.com>');
      term.type('status detail');
      await term.expectText(MORE_PROMPT);
      expect(term.plain()).toContain('Status as of:');
      expect(term.plain()).not.toContain(LAST);
      // a key a page: space, then Enter, until the end
      for (let page = 0; !term.plain().includes(LAST); page++) {
        expect(page).toBeLessThan(10);
        const shown = term.count(MORE_PROMPT);
        term.key(page % 2 === 0 ? ' ' : '\r');
        await waitFor(() => term.count(MORE_PROMPT) > shown || term.plain().includes(LAST), 10_000, 'the next page');
      }
      await waitFor(backAtPrompt, 10_000, 'the prompt after the last page');
      expect(term.count(MORE_PROMPT)).toBeGreaterThanOrEqual(3);
      // q at the prompt: the rest is not shown, the command prompt comes back
      const pages = term.count(MORE_PROMPT);
      term.type('status detail');
      await waitFor(() => term.count(MORE_PROMPT) > pages, 10_000, 'the first page');
      term.key('q');
      await waitFor(backAtPrompt, 10_000, 'the prompt after q');
      expect(term.count(LAST)).toBe(1);
      // the hidden command turns paging off: the whole screen at once
      term.type('setttymode 0 1');
      await term.expectText(/setttymode 0 1\s+esa1\.example\.com>\s*$/);
      const prompts = term.count(MORE_PROMPT);
      term.type('status detail');
      await waitFor(() => term.count(LAST) === 2 && backAtPrompt(), 10_000, 'all of status detail');
      expect(term.count(MORE_PROMPT)).toBe(prompts);
      term.type('help');
      await term.expectText(/Other:[\s\S]*esa1\.example\.com>\s*$/);
      expect(term.plain()).not.toMatch(/^ +setttymode/m);
      term.type('quit');
      expect(await term.exited).toBe(0);
    } finally {
      term.kill();
    }
  }, 60_000);

  it('a shell attached to a running appliance pages too, and setttymode there turns its pager off', async () => {
    const home = labHome();
    const child = killAfterFile(spawn(process.execPath, [BIN, '--home', home, 'start'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } }));
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    await waitFor(() => out.includes('Running headless'), 20_000, 'segsim start serving');
    const term = await openTerminal(['--home', home], {}, { rows: 20, cols: 100 });
    try {
      await term.expectText('Attached to the running appliance');
      await term.expectText('esa1.example.com>');
      term.type('status detail');
      await term.expectText(MORE_PROMPT);
      term.key('q');
      await waitFor(() => /esa1\.example\.com>\s*$/.test(term.plain()), 10_000, 'the prompt after q');
      term.type('setttymode 0 1');
      await term.expectText(/setttymode 0 1\s+esa1\.example\.com>\s*$/);
      term.type('status detail');
      await waitFor(() => term.plain().includes('Kilobytes Free') && /esa1\.example\.com>\s*$/.test(term.plain()), 10_000, 'all of status detail');
      expect(term.count(MORE_PROMPT)).toBe(1);
      term.type('quit');
      expect(await term.exited).toBe(0);
    } finally {
      term.kill();
      child.kill('SIGINT');
    }
  }, 60_000);

  it('never pages without a terminal: a script on stdin gets all of status detail', async () => {
    const { stdout } = await runBinary(['--home', labHome()], 'status detail\nquit\n');
    expect(stdout).toContain('Kilobytes Free');
    expect(stdout).not.toContain(MORE_PROMPT);
  }, 30_000);
});
