import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { describeTerminal } from '../helpers/pty.js';
import { sshHome, sshTerminal, TEST_PASSWORD, sshLabForFile, type SshLab } from '../helpers/ssh.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/ssh/', import.meta.url));
const MORE = '-Press Any Key For More-';

let lab: SshLab;
sshLabForFile((started) => (lab = started));

// each client renames the appliance: the next one starts from the same prompt
afterEach(async () => {
  if (lab.appliance.configuration.current.hostname !== 'esa1.example.com') await commitHostname('esa1.example.com');
});

/** A Python client script of test/fixtures/ssh under Debian's python3 (its paramiko, netmiko, pexpect). */
function python(script: string, args: string[], timeoutMs = 60_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('/usr/bin/python3', [`${FIXTURES}${script}`, ...args], { timeout: timeoutMs, env: { ...process.env, HOME: sshHome } }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}

async function commitHostname(hostname: string): Promise<void> {
  const session = lab.appliance.sessions.open('script', 'test');
  try {
    session.config.edit((c) => void (c.hostname = hostname));
    await session.config.commit('back');
  } finally {
    session.close();
  }
}

describe('real SSH clients nobody here wrote', () => {
  it('paramiko, as Splunk SOAR’s ciscoesa connector: exec with a PTY reads a paged status detail with Enter at each page', async () => {
    const r = await python('soar_exec.py', [String(lab.port), TEST_PASSWORD, 'status detail']);
    expect(r.stderr).toBe('');
    const { output, status, pages } = JSON.parse(r.stdout) as { output: string; status: number; pages: number };
    expect(status).toBe(0);
    expect(pages).toBeGreaterThan(0);
    expect(output).toContain('Status as of:');
    // the prompt is taken away as the appliance does it, and the output goes on to the end
    expect(output).toContain(`${MORE}\r${' '.repeat(MORE.length)}\r`);
    expect(output).toMatch(/Gauges:[\s\S]*\r\n$/);
  });

  it('paramiko: a change batch with a PTY prints nothing and exits 0; a failing one exits non-zero with the error', async () => {
    const ok = JSON.parse((await python('soar_exec.py', [String(lab.port), TEST_PASSWORD, 'sethostname soar.example.com; commit "from soar"'])).stdout) as { output: string; status: number };
    expect(ok).toEqual({ output: '', status: 0, pages: 0 });
    expect(lab.appliance.configuration.current.hostname).toBe('soar.example.com');
    const bad = JSON.parse((await python('soar_exec.py', [String(lab.port), TEST_PASSWORD, 'setttymode 0 1; nosuchcommand'])).stdout) as { output: string; status: number };
    expect(bad.status).toBe(2);
    expect(bad.output).toContain('nosuchcommand');
  });

  it('netmiko (terminal_server driver): setttymode 0 1, status up to the prompt, a commit through its dialog', async () => {
    const r = await python('netmiko_generic.py', [String(lab.port), TEST_PASSWORD], 90_000);
    expect(r.stderr).toBe('');
    const result = JSON.parse(r.stdout) as Record<string, string>;
    expect(result.prompt).toBe('esa1.example.com>');
    expect(result.status).toContain('Status as of:');
    expect(result.status).not.toContain(MORE);
    expect(result.commit).toContain('Please enter some comments describing your changes:');
    expect(result.comment).toContain('Do you want to save the current configuration for rollback? [Y]>');
    expect(result.rollback).toContain('Changes committed:');
    expect(result.after).toBe('netmiko.example.com>');
    expect(lab.appliance.configuration.current.hostname).toBe('netmiko.example.com');
  }, 120_000);

  it('pexpect over OpenSSH, as Cisco’s certificate sample: the password prompt, an empty commit, a commit dialog', async () => {
    const r = await python('pexpect_commit.py', [String(lab.port), TEST_PASSWORD, sshHome]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(lab.appliance.configuration.current.hostname).toBe('pexpect.example.com');
  }, 90_000);
});

describeTerminal('the pager on an SSH terminal (ssh -tt)', () => {
  it('stops a long output at -Press Any Key For More-, goes on with a key, q stops; a resized window pages by its new height; setttymode 0 1 turns it off', async () => {
    const term = await sshTerminal(lab.port, { rows: 12, cols: 100 });
    await term.expectText('esa1.example.com> ');
    term.type('status detail');
    await term.expectText(MORE);
    // one page: the rows of the terminal but the one the prompt takes
    const firstPage = term.plain().split('status detail\r\n')[1]!.split(MORE)[0]!;
    expect(firstPage.split('\r\n').length - 1).toBe(11);
    term.key(' ');
    await expect.poll(() => term.count(MORE)).toBe(2);
    expect(term.raw()).toContain(`\r${' '.repeat(MORE.length)}\r`);
    term.key('q');
    await term.expectText(/esa1\.example\.com> $/);
    const afterQ = term.count(MORE);
    // a taller window: fewer stops for the same output
    term.resize(100, 60);
    await new Promise((resolve) => setTimeout(resolve, 300));
    term.type('status detail');
    await expect.poll(() => term.count('Status as of:')).toBe(2);
    await term.expectText(/(-Press Any Key For More-|esa1\.example\.com> )$/);
    if (term.plain().endsWith(MORE)) term.key('\r');
    await term.expectText(/Gauges:[\s\S]*esa1\.example\.com> $/);
    expect(term.count(MORE) - afterQ).toBeLessThanOrEqual(1);
    term.resize(100, 12);
    await new Promise((resolve) => setTimeout(resolve, 300));
    term.type('setttymode 0 1');
    await term.expectText(/setttymode 0 1\r\nesa1\.example\.com> $/);
    const before = term.count(MORE);
    term.type('status detail');
    await expect.poll(() => term.count('Status as of:')).toBe(3);
    await term.expectText(/Gauges:[\s\S]*esa1\.example\.com> $/);
    expect(term.count(MORE)).toBe(before);
    term.type('quit');
    expect(await term.exited).toBe(0);
  });
});
