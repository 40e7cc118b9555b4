import { readFileSync, renameSync, rmSync } from 'node:fs';
import { ErrorCodes, UserError } from '../errors.js';
import { createTextAtomic } from './atomic-file.js';
import type { CommittedConfig } from './config/committed.js';

/**
 * One running appliance per home directory: a pid file created whole (never seen empty by
 * another process, which would take it for a dead one's). A file left by a process that died
 * (kill -9) is recognised and taken over.
 */
export class HomeLock {
  #held = false;

  constructor(private readonly file: string) {}

  acquire(): void {
    const owner = takeLock(this.file);
    if (owner !== null) {
      throw new UserError(`Another appliance (pid ${owner}) is already running on this home directory. Use it from here with one-shot commands, or stop it first.`, ErrorCodes.applianceRunning);
    }
    this.#held = true;
  }

  release(): void {
    if (this.#held && pidIn(this.file) === process.pid) rmSync(this.file, { force: true });
    this.#held = false;
  }
}

/**
 * Takes `file` as a lock for this process: null when taken, else the pid of the live process that
 * holds it. A file left by a dead process is taken over.
 */
function takeLock(file: string): number | null {
  for (let attempt = 0; attempt < 3; attempt++) {
    if (createTextAtomic(file, String(process.pid), { mode: 0o600 })) return null;
    const owner = runningOwner(file);
    if (owner !== null) return owner;
    removeStale(file);
  }
  throw new UserError(`Could not take the lock ${file}.`, ErrorCodes.io);
}

/**
 * Runs `work` holding `file` as a lock, waiting (up to `waitMs`) while another holds it: for short
 * work that processes sharing a home must do one at a time.
 */
export async function withFileLock<T>(file: string, work: () => T | Promise<T>, waitMs = 15_000): Promise<T> {
  const deadline = Date.now() + waitMs;
  for (let owner = takeLock(file); owner !== null; owner = takeLock(file)) {
    if (Date.now() > deadline) throw new UserError(`The lock ${file} is still held by pid ${owner} after ${waitMs / 1000} seconds.`, ErrorCodes.io);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  try {
    return await work();
  } finally {
    if (pidIn(file) === process.pid) rmSync(file, { force: true });
  }
}

/**
 * Removes a lock file left by a dead process. It is first renamed to a name of this process's own,
 * so that of two processes taking over the same stale lock, one removes it; if what was renamed
 * names a live process (it took the lock meanwhile), it is put back.
 */
function removeStale(file: string): void {
  const aside = `${file}.${process.pid}.stale`;
  try {
    renameSync(file, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const owner = runningOwner(aside);
  if (owner !== null) createTextAtomic(file, String(owner), { mode: 0o600 });
  rmSync(aside, { force: true });
}

function pidIn(file: string): number | null {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** The pid in a lock file if that process is alive, else null. */
export function runningOwner(file: string): number | null {
  const pid = pidIn(file);
  return pid !== null && processAlive(pid) ? pid : null;
}

/** Whether process `pid` exists (another user's included). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Refuses this process's commits while another process's appliance holds the home (one that
 * started after this session found none running): the stored configuration is that appliance's
 * then, and a write here would go behind its back.
 */
export function refuseCommitsWhileHeld(configuration: Pick<CommittedConfig, 'guard'>, lockFile: string): () => void {
  return configuration.guard(async () => {
    const owner = runningOwner(lockFile);
    if (owner !== null && owner !== process.pid) {
      throw new UserError(
        `An appliance (pid ${owner}) now runs on this home directory and owns its configuration: nothing was committed. Run this again to go to that appliance.`,
        ErrorCodes.applianceRunning,
      );
    }
  });
}
