import { expect, it } from 'vitest';
import { describeTerminal } from '../helpers/pty.js';
import { sshTerminal, sshLabForFile, type SshLab } from '../helpers/ssh.js';

let lab: SshLab;
sshLabForFile((started) => (lab = started));

describeTerminal('an interactive SSH login (ssh -tt in a pseudo-terminal)', () => {
  it('shows the login text and the prompt, runs commands, and leaves with quit', async () => {
    const term = await sshTerminal(lab.port);
    await term.expectText('esa1.example.com> ');
    const plain = term.plain();
    expect(plain).toMatch(/Last login: \w{3} \w{3} \d{2} \d\d:\d\d:\d\d \d{4} from 127\.0\.0\.1\r\n/);
    expect(plain).toContain(
      'AsyncOS 15.5.1 for Cisco C100V build 055\r\n\r\nWelcome to the Cisco C100V Email Security Virtual Appliance\r\n\r\nNOTE: This session will expire if left idle for 30 minutes.',
    );
    // no colour or cursor codes around the prompt: tools match it on the raw stream
    expect(term.raw()).toMatch(/\r\n\r\nesa1\.example\.com> $/);
    term.type('who');
    await term.expectText(/admin +Administrator .* 127\.0\.0\.1 +CLI\r\n/);
    // typed characters are echoed as typed
    expect(term.raw()).toContain('esa1.example.com> who\r\n');
    term.type('quit');
    expect(await term.exited).toBe(0);
  });

  it('line editing: Backspace, Ctrl-A, Ctrl-E, Ctrl-U, Ctrl-W and history with the arrows', async () => {
    const term = await sshTerminal(lab.port);
    await term.expectText('esa1.example.com> ');
    term.key('whx');
    term.key('\u007f');
    term.key('o');
    term.key('\r');
    await term.expectText(/Username +Role /);
    const before = term.count('Username  Role');
    term.key('\u001b[A');
    term.key('\r');
    await term.expectText(/Username +Role [\s\S]*Username +Role /);
    expect(term.count('Username  Role')).toBeGreaterThan(before);
    // Ctrl-U drops the line, Ctrl-W a word; Ctrl-A goes home to insert there
    term.key('garbage words');
    term.key('\u0015');
    term.key('ho bad');
    term.key('\u0017');
    term.key('\u0001w\u0005');
    term.key('\r');
    await expect.poll(() => term.count('Username  Role')).toBe(3);
    expect(term.plain()).not.toContain('Unknown command');
    term.type('quit');
    expect(await term.exited).toBe(0);
  });

  it('quit with uncommitted changes asks first; the changes are this login’s alone and dropped when it leaves', async () => {
    const term = await sshTerminal(lab.port);
    await term.expectText('esa1.example.com> ');
    term.type('sethostname pending.example.com');
    await term.expectText(/pending\.example\.com\r\n.*esa1\.example\.com> $/s);
    term.type('quit');
    await term.expectText('Are you sure you wish to exit?');
    term.type('N');
    await term.expectText(/N\r\n.*> $/s);
    expect(lab.appliance.configuration.current.hostname).toBe('esa1.example.com');
    term.type('quit');
    await term.expectText(/Are you sure you wish to exit\?[\s\S]*Are you sure you wish to exit\?/);
    term.type('Y');
    expect(await term.exited).toBe(0);
    expect(lab.appliance.configuration.current.hostname).toBe('esa1.example.com');
    await expect.poll(() => lab.appliance.sessions.list().filter((s) => s.kind === 'ssh')).toEqual([]);
  });

  it('Ctrl-C at a dialog question cancels the command and returns to the prompt', async () => {
    const term = await sshTerminal(lab.port);
    await term.expectText('esa1.example.com> ');
    term.type('commit');
    await term.expectText('There is no data to commit.');
    term.type('sethostname x.example.com');
    term.type('commit');
    await term.expectText('Please enter some comments describing your changes:');
    term.key('\u0003');
    await term.expectText(/\^C\r\n[\s\S]*esa1\.example\.com> $/);
    term.type('commit');
    await term.expectText(/Please enter some comments[\s\S]*Please enter some comments/);
    term.type('from ssh');
    await term.expectText('save the current configuration for rollback');
    term.type('Y');
    await term.expectText('Changes committed:');
    await term.expectText(/x\.example\.com> $/);
    expect(lab.appliance.configuration.current.hostname).toBe('x.example.com');
    term.type('quit');
    expect(await term.exited).toBe(0);
  });

  it('a live view (tail) says its keys and ends on q, or on Ctrl-C', async () => {
    const term = await sshTerminal(lab.port, { rows: 30, cols: 90 });
    // the prompt has the hostname the test before committed
    await term.expectText(/[\w.]+> $/);
    term.type('tail mail_logs');
    await term.expectText('Press q, Esc, Enter or Ctrl-C to stop.');
    term.key('q');
    await term.expectText(/Press q, Esc, Enter or Ctrl-C to stop\.[\s\S]*[\w.]+> $/);
    term.type('tail mail_logs');
    await expect.poll(() => term.count('Press q, Esc, Enter or Ctrl-C to stop.')).toBe(2);
    term.key('\u0003');
    await term.expectText(/stop\.[\s\S]*stop\.[\s\S]*[\w.]+> $/);
    term.type('quit');
    expect(await term.exited).toBe(0);
  });
});
