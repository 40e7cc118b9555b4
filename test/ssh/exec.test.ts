import { describe, expect, it } from 'vitest';
import { sshExec, sshLabForFile, type SshLab } from '../helpers/ssh.js';

let lab: SshLab;
sshLabForFile((started) => (lab = started));

describe('SSH exec requests (OpenSSH ssh with sshpass)', () => {
  it('runs one command and exits 0 with its output', async () => {
    const r = await sshExec(lab.port, 'status');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Status as of:');
    expect(r.stderr).toBe('');
  });

  it('a ;-separated change batch prints nothing and commits; the change is the appliance’s', async () => {
    const r = await sshExec(lab.port, 'sethostname batch.example.com; commit "rename from ssh"');
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(lab.appliance.configuration.current.hostname).toBe('batch.example.com');
  });

  it('commit with nothing pending says exactly that there is no data', async () => {
    const r = await sshExec(lab.port, 'commit');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('There is no data to commit.');
  });

  it('an unknown command exits 2 with the error on stderr; a batch stops at it', async () => {
    const r = await sshExec(lab.port, 'sethostname never.example.com; nosuchcommand; commit "x"');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nosuchcommand/);
    expect(r.stdout).toBe('');
    expect(lab.appliance.configuration.current.hostname).not.toBe('never.example.com');
  });

  it('a command that cannot be done exits 1, a value it cannot take 2', async () => {
    expect(await sshExec(lab.port, 'who; tail nosuch')).toMatchObject({ code: 1, stderr: expect.stringContaining('Unable to tail: no log named "nosuch"') });
    expect(await sshExec(lab.port, 'sethostname "bad name!"')).toMatchObject({ code: 2, stdout: '', stderr: expect.stringContaining('Invalid hostname "bad name!"') });
  });

  it('quotes keep a ; inside a word', async () => {
    const r = await sshExec(lab.port, 'sethostname "a;b"');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Invalid hostname "a;b"');
  });

  it('who lists the exec command as an SSH session from the client address', async () => {
    const r = await sshExec(lab.port, 'who');
    expect(r.stdout).toMatch(/^admin +Administrator .* 127\.0\.0\.1 +CLI\r?$/m);
  });

  it('with a PTY (ssh -tt) errors come on the one stream, lines end in CR LF', async () => {
    const r = await sshExec(lab.port, 'nosuchcommand', { extra: ['-tt'] });
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/nosuchcommand.*\r\n/);
  });

  it('a shell without a PTY reads its input line by line, unechoed; a line without end is cut, not kept without bound', async () => {
    const r = await sshExec(lab.port, null, { extra: ['-T'], input: `${'x'.repeat(200_000)}\nwho\nquit\n` });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Welcome to the Cisco C100V Email Security Virtual Appliance');
    expect(r.stdout).toMatch(/Unknown command[\s\S]*Username[\s\S]*\badmin\b.* 127\.0\.0\.1 /);
    expect(r.stdout).not.toContain('x'.repeat(20_000));
  });
});
