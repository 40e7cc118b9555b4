import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { ErrorCodes, UserError } from '../errors.js';

/**
 * One running appliance per home directory: a pid file taken with O_EXCL. A file left by a
 * process that died (kill -9) is recognised and taken over.
 */
export class HomeLock {
  #held = false;

  constructor(private readonly file: string) {}

  acquire(): void {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        writeFileSync(this.file, String(process.pid), { flag: 'wx', mode: 0o600 });
        this.#held = true;
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const owner = runningOwner(this.file);
        if (owner !== null) {
          throw new UserError(
            `Another appliance (pid ${owner}) is already running on this home directory. Use it from here with one-shot commands, or stop it first.`,
            ErrorCodes.applianceRunning,
          );
        }
        rmSync(this.file, { force: true });
      }
    }
    throw new UserError(`Could not take the lock ${this.file}.`, ErrorCodes.io);
  }

  release(): void {
    if (this.#held) rmSync(this.file, { force: true });
    this.#held = false;
  }
}

/** The pid in a lock file if that process is alive, else null. */
export function runningOwner(file: string): number | null {
  let pid: number;
  try {
    pid = Number(readFileSync(file, 'utf8').trim());
  } catch {
    return null;
  }
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? pid : null;
  }
}
