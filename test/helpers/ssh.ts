import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAppliance, type RunningAppliance } from '../../src/cli/run-appliance.js';
import { commandRegistry } from '../../src/commands/registry.js';
import { setAdminPassword } from '../../src/engine/admin-account.js';
import { Appliance } from '../../src/engine/appliance.js';
import type { ApplianceConfig } from '../../src/engine/config/model.js';
import { removeAfterFile } from './cleanup.js';
import { labHome } from './scripted.js';
import { TEST_PASSWORD } from './web.js';

export { TEST_PASSWORD };

/** A running appliance on a temp home (free ports), the admin password set, its SSH port. */
export async function sshAppliance(
  edit: (c: ApplianceConfig) => void = () => undefined,
  home = labHome(edit),
): Promise<{ appliance: Appliance; running: RunningAppliance; port: number; stop(): Promise<void> }> {
  const appliance = new Appliance({ home });
  await setAdminPassword(appliance.paths, TEST_PASSWORD);
  const running = await startAppliance(appliance, commandRegistry());
  if (!running.ssh) {
    await running.stop();
    throw new Error(`the SSH server did not start:\n${running.describe()}`);
  }
  return { appliance, running, port: running.ssh.port, stop: () => running.stop() };
}

export type SshLab = Awaited<ReturnType<typeof sshAppliance>>;

/**
 * One SSH lab appliance for a test file: started before its tests and stopped after them, handed
 * to the file through `set` (`let lab: SshLab; sshLabForFile((l) => (lab = l));`). A test that
 * restarts it passes the new one to the function returned, so that the one running is stopped.
 */
export function sshLabForFile(set: (lab: SshLab) => void): (restarted: SshLab) => void {
  let current: SshLab | undefined;
  const take = (lab: SshLab) => {
    current = lab;
    set(lab);
  };
  beforeAll(async () => take(await sshAppliance()), 60_000);
  afterAll(async () => {
    await current?.stop();
  });
  return take;
}

/** A HOME of its own for OpenSSH (no user configuration, keys or known hosts of the machine). */
export const sshHome = removeAfterFile(mkdtempSync(join(tmpdir(), 'segsim-ssh-home-')));

/** OpenSSH's options for the lab: no host key checks, no keys of the user, the password only. */
export function sshOptions(port: number): string[] {
  return [
    '-F',
    '/dev/null',
    '-o',
    'StrictHostKeyChecking=no',
    '-o',
    'UserKnownHostsFile=/dev/null',
    '-o',
    'LogLevel=ERROR',
    '-o',
    'PubkeyAuthentication=no',
    '-o',
    'PreferredAuthentications=password,keyboard-interactive',
    '-o',
    'ConnectTimeout=10',
    '-p',
    String(port),
  ];
}

export interface SshResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * OpenSSH's `ssh` (with `sshpass` typing the password) running `command` as an exec request, as
 * `ssh admin@esa "status"` does; `extra` adds ssh options (`-tt` for a PTY). A null command asks
 * for a shell (with `-T`: one without a PTY, fed by `input`). Bounded in time.
 */
export function sshExec(port: number, command: string | null, { password = TEST_PASSWORD, user = 'admin', extra = [] as string[], input = '', timeoutMs = 30_000 } = {}): Promise<SshResult> {
  return new Promise((resolve) => {
    const child = execFile(
      'sshpass',
      ['-e', 'ssh', ...sshOptions(port), ...extra, `${user}@127.0.0.1`, ...(command === null ? [] : [command])],
      { env: { ...process.env, HOME: sshHome, SSHPASS: password }, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    );
    child.stdin!.end(input);
  });
}

/** OpenSSH's `ssh -tt` logged in (sshpass types the password) in a real pseudo-terminal: an interactive login. */
export async function sshTerminal(port: number, size: { rows?: number; cols?: number } = {}, { password = TEST_PASSWORD } = {}) {
  const { openProgram } = await import('./pty.js');
  return openProgram('sshpass', ['-e', 'ssh', ...sshOptions(port), '-tt', 'admin@127.0.0.1'], { HOME: sshHome, SSHPASS: password }, size);
}
