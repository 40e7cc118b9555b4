import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort } from '../helpers/peers.js';
import { smtpGreeting } from '../helpers/headless.js';
import { sshAppliance, sshExec, sshHome, sshOptions, TEST_PASSWORD, sshLabForFile, type SshLab } from '../helpers/ssh.js';

const LOGINS = fileURLToPath(new URL('../fixtures/ssh-logins.mjs', import.meta.url));

let lab: SshLab;
const restarted = sshLabForFile((started) => (lab = started));

const authLog = () => {
  const file = join(lab.appliance.paths.logs, 'authentication', 'authentication.current');
  return existsSync(file) && statSync(file).isFile() ? readFileSync(file, 'utf8') : '';
};

/** ssh with a key of its own (no password offered): exit status and stderr. */
function sshWithKey(key: string, command: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const options = sshOptions(lab.port).map((o) =>
    o === 'PubkeyAuthentication=no' ? 'PubkeyAuthentication=yes' : o === 'PreferredAuthentications=password,keyboard-interactive' ? 'PreferredAuthentications=publickey' : o,
  );
  return new Promise((resolve) => {
    execFile(
      'ssh',
      [...options, '-o', 'IdentitiesOnly=yes', '-o', 'BatchMode=yes', '-i', key, 'admin@127.0.0.1', command],
      { env: { ...process.env, HOME: sshHome }, timeout: 30_000 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}

describe('SSH logins', () => {
  it('the host key is made at first start, owner-only, kept across restarts; a bad one is set aside and said', async () => {
    const file = join(lab.appliance.paths.root, 'ssh', 'ssh_host_ed25519_key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const key = readFileSync(file, 'utf8');
    expect(key).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----/);
    expect(lab.running.describe()).toContain(`  SSH on 127.0.0.1:${lab.port} (ssh -p ${lab.port} admin@127.0.0.1)`);
    await lab.stop();
    restarted(await sshAppliance(undefined, lab.appliance.paths.root));
    expect(readFileSync(file, 'utf8')).toBe(key);
    await lab.stop();
    writeFileSync(file, 'not a key');
    restarted(await sshAppliance(undefined, lab.appliance.paths.root));
    expect(lab.running.describe()).toMatch(
      /note: The SSH host key .*ssh_host_ed25519_key is not a valid private key \(.*\); it was set aside as .*ssh_host_ed25519_key\.bad-\d+ and a new host key made\./,
    );
    expect(readFileSync(file, 'utf8')).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----/);
    expect(readdirSync(join(lab.appliance.paths.root, 'ssh')).filter((f) => f.includes('.bad-'))).toHaveLength(1);
    expect((await sshExec(lab.port, 'who')).code).toBe(0);
  });

  it('a wrong password and an unknown user are refused alike, and logged with SSH wording', async () => {
    const wrong = await sshExec(lab.port, 'who', { password: 'not-the-password' });
    const unknown = await sshExec(lab.port, 'who', { user: 'operator' });
    // sshpass: 5 is "the password was refused"
    expect(wrong.code).toBe(5);
    expect(unknown.code).toBe(5);
    expect(wrong.stdout + unknown.stdout).toBe('');
    await expect.poll(authLog).toMatch(/An authentication attempt by the user admin from 127\.0\.0\.1 failed using an SSH connection\./);
    expect(authLog()).toMatch(/An authentication attempt by the user operator from 127\.0\.0\.1 failed using an SSH connection\./);
    const ok = await sshExec(lab.port, 'who');
    expect(ok.code).toBe(0);
    await expect.poll(authLog).toMatch(/The user admin successfully logged on from 127\.0\.0\.1 with privilege admin using an SSH connection\./);
    await expect.poll(authLog).toMatch(/User admin logged out of SSH session 127\.0\.0\.1/);
  });

  it('passwd changes the one account: the new password logs in over SSH, the old one no longer', async () => {
    expect((await sshExec(lab.port, 'passwd --password "changed-over-ssh"')).code).toBe(0);
    expect((await sshExec(lab.port, 'who', { password: 'changed-over-ssh' })).code).toBe(0);
    expect((await sshExec(lab.port, 'who')).code).toBe(5);
    expect((await sshExec(lab.port, `passwd --password "${TEST_PASSWORD}"`, { password: 'changed-over-ssh' })).code).toBe(0);
    expect((await sshExec(lab.port, 'who')).code).toBe(0);
  });

  it('a user key added with sshconfig logs in without a password; a key not on the list is refused', async () => {
    for (const name of ['listed', 'other']) execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(sshHome, name)]);
    const pub = readFileSync(join(sshHome, 'listed.pub'), 'utf8').trim();
    expect((await sshWithKey(join(sshHome, 'listed'), 'who')).code).toBe(255);
    expect(await sshExec(lab.port, `sshconfig --add-key "${pub}"; commit "a key for admin"`)).toEqual({ code: 0, stdout: '', stderr: '' });
    const listed = await sshWithKey(join(sshHome, 'listed'), 'who');
    expect(listed.code, listed.stderr).toBe(0);
    // who lists this login by the client's address
    expect(listed.stdout).toMatch(/\badmin\b.* 127\.0\.0\.1 /);
    const other = await sshWithKey(join(sshHome, 'other'), 'who');
    expect(other.code).toBe(255);
    expect(other.stderr).toMatch(/Permission denied/);
  });

  it('scp -O downloads a log file by the name asked for; other paths are refused', async () => {
    const local = join(sshHome, 'downloads');
    execFileSync('mkdir', ['-p', local]);
    const scp = (from: string) =>
      new Promise<{ code: number; stderr: string }>((resolve) => {
        execFile(
          'sshpass',
          ['-e', 'scp', '-O', ...sshOptions(lab.port).map((o) => (o === '-p' ? '-P' : o)), from, `${local}/`],
          { env: { ...process.env, HOME: sshHome, SSHPASS: TEST_PASSWORD }, timeout: 30_000 },
          (error, _stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stderr }),
        );
      });
    const got = await scp('admin@127.0.0.1:/mail_logs/mail.current');
    expect(got.code, got.stderr).toBe(0);
    expect(readFileSync(join(local, 'mail.current'), 'utf8')).toContain('Info:');
    const refused = await scp('admin@127.0.0.1:/etc/passwd');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/scp: /);
  });

  it('a huge exec command and a binary one are refused by name, exit 2, nothing run', async () => {
    const huge = await sshExec(lab.port, `sethostname ${'a'.repeat(20_000)}.example.com`);
    expect(huge.code).toBe(2);
    expect(huge.stderr).toMatch(/Invalid arguments when processing: the command is \d+ characters long/);
    const binary = await sshExec(lab.port, 'sethostname x\u0001\u0002y; commit "x"');
    expect(binary.code).toBe(2);
    expect(binary.stderr).toMatch(/control characters/);
    expect(lab.appliance.configuration.current.hostname).toBe('esa1.example.com');
  });

  it('100 logins at once all get in, and the SMTP listener answers its greeting meanwhile', async () => {
    const port = lab.running.engine.listenerAddress().port;
    const logins = new Promise<string>((resolve, reject) =>
      execFile(process.execPath, [LOGINS, String(lab.port), TEST_PASSWORD, '100', 'version'], { timeout: 150_000 }, (error, stdout) => (error ? reject(error) : resolve(stdout))),
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    const started = Date.now();
    expect(await smtpGreeting(port)).toMatch(/^220 /);
    const greetingMs = Date.now() - started;
    const result = JSON.parse(await logins) as { ok: number; refused: number; slowest: number; errors: string[] };
    expect(result, JSON.stringify(result)).toMatchObject({ ok: 100, refused: 0 });
    expect(greetingMs).toBeLessThan(2000);
    await expect.poll(() => lab.appliance.sessions.list().filter((s) => s.kind === 'ssh')).toEqual([]);
  }, 160_000);

  it('interfaceconfig lists the SSH port; a committed --ssh-port moves the server, a port in use is refused at commit', async () => {
    expect((await sshExec(lab.port, 'interfaceconfig')).stdout).toContain(`SSH: port 0 (any free port): the command line over SSH`);
    const held = createServer().listen(0, '127.0.0.1');
    await once(held, 'listening');
    try {
      const busy = (held.address() as AddressInfo).port;
      const refused = await sshExec(lab.port, `interfaceconfig --ssh-port ${busy}; commit "move ssh"`);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(`The SSH server cannot listen on 127.0.0.1:${busy} (EADDRINUSE).`);
    } finally {
      held.close();
    }
    const port = await freePort();
    // the commit moves the server under this very login: it ends with it
    await sshExec(lab.port, `interfaceconfig --ssh-port ${port}; commit "move ssh"`);
    await expect.poll(() => lab.running.ssh?.port).toBe(port);
    expect((await sshExec(port, 'who')).code).toBe(0);
    expect((await sshExec(lab.port, 'who')).code).toBe(255);
  });
});
