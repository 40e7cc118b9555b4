import { expect, it } from 'vitest';
import { clusterconfigCommand } from '../../src/commands/clusterconfig.js';
import { describeTerminal, openTerminal } from '../helpers/pty.js';
import { runScripted } from '../helpers/scripted.js';
import { sshExec, sshTerminal, sshLabForFile, type SshLab } from '../helpers/ssh.js';

let lab: SshLab;
sshLabForFile((started) => (lab = started));

const PROMPT = /esa1\.example\.com> $/;

describeTerminal('SSH logins are sessions of their own', () => {
  it('two SSH logins and a shell at once: pending changes isolated, who lists all three', async () => {
    const one = await sshTerminal(lab.port);
    const two = await sshTerminal(lab.port);
    const shell = await openTerminal(['--home', lab.appliance.paths.root]);
    await one.expectText(PROMPT);
    await two.expectText(PROMPT);
    await shell.expectText('esa1.example.com>', 30_000);
    one.type('sethostname one.example.com');
    two.type('sethostname two.example.com');
    await one.expectText(/one\.example\.com\r\n[\s\S]*> $/);
    await two.expectText(/two\.example\.com\r\n[\s\S]*> $/);
    shell.type('who');
    await shell.expectText(/socket +CLI\r?\n/);
    const who = shell.plain();
    expect(who.match(/^admin +Administrator .* 127\.0\.0\.1 +CLI\r?$/gm)).toHaveLength(2);
    expect(who).toMatch(/^admin +Administrator .* socket +CLI\r?$/m);
    // the shell's own pending changes are empty; the first login's commit takes its own change only
    shell.type('commit');
    await shell.expectText('There is no data to commit.');
    one.type('commit "one from ssh" Y');
    await expect.poll(() => lab.appliance.configuration.current.hostname).toBe('one.example.com');
    // the second login's change is still its own, not committed, and dropped when it leaves
    two.type('quit');
    await two.expectText('Are you sure you wish to exit?');
    two.type('Y');
    expect(await two.exited).toBe(0);
    expect(lab.appliance.configuration.current.hostname).toBe('one.example.com');
    one.type('quit');
    expect(await one.exited).toBe(0);
    shell.type('quit');
    expect(await shell.exited).toBe(0);
    await expect.poll(() => lab.appliance.sessions.list().map((s) => s.kind)).toEqual([]);
    await commitHostname('esa1.example.com');
  });

  it('a connection dropped at a dialog question: its session ends, nothing committed, another login untouched', async () => {
    const other = await sshTerminal(lab.port);
    await other.expectText(PROMPT);
    other.type('sethostname kept.example.com');
    await other.expectText(/kept\.example\.com\r\n[\s\S]*> $/);
    const dropped = await sshTerminal(lab.port);
    await dropped.expectText(PROMPT);
    dropped.type('sethostname dropped.example.com');
    dropped.type('commit');
    await dropped.expectText('Please enter some comments describing your changes:');
    await expect.poll(() => lab.appliance.sessions.list().filter((s) => s.running === 'commit')).toHaveLength(1);
    dropped.kill();
    await expect.poll(() => lab.appliance.sessions.list().filter((s) => s.kind === 'ssh')).toHaveLength(1);
    expect(lab.appliance.configuration.current.hostname).toBe('esa1.example.com');
    // the other login still has its change, and commits it
    other.type('commit');
    await other.expectText('Please enter some comments describing your changes:');
    other.type('kept');
    await other.expectText('[Y]> ');
    other.type('N');
    await other.expectText(/kept\.example\.com> $/);
    expect(lab.appliance.configuration.current.hostname).toBe('kept.example.com');
    other.type('quit');
    expect(await other.exited).toBe(0);
    await commitHostname('esa1.example.com');
  });

  it('on a clustered appliance a login starts in Machine mode, as AsyncOS logins show', async () => {
    await runScripted(clusterconfigCommand, [], { appliance: lab.appliance, args: ['create'], flags: { name: 'Hosted_Cluster', port: 0 } });
    const term = await sshTerminal(lab.port);
    await term.expectText('(Machine esa1.example.com)> ');
    expect(term.raw()).toMatch(/\r\n\r\n\(Machine esa1\.example\.com\)> $/);
    term.type('quit');
    expect(await term.exited).toBe(0);
    const exec = await sshExec(lab.port, 'clustermode cluster; who');
    expect(exec.code).toBe(0);
  });
});

async function commitHostname(hostname: string): Promise<void> {
  const r = await sshExec(lab.port, `sethostname ${hostname}; commit "back"`);
  expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
}
