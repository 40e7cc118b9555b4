import { rmSync } from 'node:fs';
import { describeTerminal, openTerminal } from '../helpers/pty.js';
import { labHome } from '../helpers/scripted.js';

describeTerminal('the shell in a real terminal', () => {
  it('Ctrl-D asks as quit does when there are uncommitted changes; a second terminal attaches and shows in who', async () => {
    const home = labHome();
    const first = await openTerminal(['--home', home]);
    let second: Awaited<ReturnType<typeof openTerminal>> | null = null;
    try {
      await first.expectText('esa1.example.com>');
      first.type('sethostname esa2.example.com');
      await first.expectText(/esa1\.example\.com> sethostname esa2\.example\.com[\s\S]*esa1\.example\.com>/);
      first.key('\u0004'); // Ctrl-D
      await first.expectText('Are you sure you wish to exit? [N]>');
      first.type('N');
      await first.expectText(/\[N\]> N[\s\S]*esa1\.example\.com>/);

      // a second terminal opens a shell on the same appliance: it attaches, it does not start another
      second = await openTerminal(['--home', home]);
      await second.expectText('Attached to the running appliance');
      second.type('who');
      await second.expectText(/admin +Administrator .* console +CLI/);
      await second.expectText(/admin +Administrator .* socket +CLI/);
      second.key('\u0004'); // nothing pending there: Ctrl-D leaves at once
      expect(await second.exited).toBe(0);

      first.type('clear');
      await first.expectText('Are you sure you want to clear all changes');
      first.type('Y');
      await first.expectText('Changes cleared.');
      first.key('\u0004');
      expect(await first.exited).toBe(0);
    } finally {
      first.kill();
      second?.kill();
    }
  }, 60_000);
});

describeTerminal('the line editor and live views in a real terminal', () => {
  it('a key typed during tail ends it and never reaches the next prompt; Tab completes; arrows edit', async () => {
    const home = labHome();
    const term = await openTerminal(['--home', home]);
    try {
      await term.expectText('esa1.example.com>');
      term.type('tail mail_logs');
      await term.expectText('Following mail_logs. Press q, Esc, Enter or Ctrl-C to stop.');
      term.key('x');
      term.key('q');
      await term.expectText(/stop\.[\s\S]*esa1\.example\.com>\s*$/);
      term.key('ver\t'); // Tab completes "version "
      await term.expectText(/esa1\.example\.com> version\s*$/);
      term.key('\u001b[D'.repeat(8)); // Left to the start of the line
      term.key('help ');
      term.key('\r');
      await term.expectText('version: ');
      expect(term.plain()).not.toContain('Unknown command');
      term.type('quit');
      expect(await term.exited).toBe(0);
    } finally {
      term.kill();
      rmSync(home, { recursive: true, force: true });
    }
  }, 60_000);
});

describeTerminal('live views that run for a while', () => {
  it('tail and grep -t, 2.5 s each, print no MaxListenersExceededWarning on the terminal', async () => {
    const home = labHome();
    const term = await openTerminal(['--home', home]);
    try {
      await term.expectText('esa1.example.com>');
      for (const view of ['tail mail_logs', 'grep -e MID -t mail_logs']) {
        term.type(view);
        await term.expectText(/Following mail_logs[^\n]*Press q, Esc, Enter or Ctrl-C to stop\./);
        await new Promise((r) => setTimeout(r, 2500));
        term.key('q');
        await term.expectText(/stop\.[\s\S]*esa1\.example\.com>\s*$/);
      }
      expect(term.plain()).not.toContain('MaxListenersExceededWarning');
      term.type('quit');
      expect(await term.exited).toBe(0);
    } finally {
      term.kill();
    }
  }, 60_000);
});

describeTerminal('colour in a real terminal', () => {
  it('lab check PASS/FAIL and errors are coloured on a terminal, plain with NO_COLOR', async () => {
    const home = labHome();
    const coloured = await openTerminal(['--home', home, 'lab', 'run', 'retry-5xx'], { FORCE_COLOR: undefined, NO_COLOR: undefined });
    await coloured.expectText('Labs: 1 of 1 scenarios passed.', 30_000);
    expect(coloured.raw()).toContain('\u001b[32mPASS\u001b[39m');
    await coloured.exited;
    const error = await openTerminal(['--home', home, 'sethostname', 'not a host'], { FORCE_COLOR: undefined, NO_COLOR: undefined });
    await error.exited;
    expect(error.raw()).toContain('\u001b[31mInvalid hostname');
    const plain = await openTerminal(['--home', home, 'sethostname', 'not a host'], { FORCE_COLOR: undefined, NO_COLOR: '1' });
    await plain.exited;
    expect(plain.plain()).toContain('Invalid hostname');
    expect(plain.raw()).not.toContain('\u001b[31m');
  }, 60_000);
});
