import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stopAfterFile } from './cleanup.js';

/** A disk of its own, a few pages big, that a test fills and frees. */
export interface SmallDisk {
  dir: string;
  /** takes every free page (a write that needs a new page then fails with ENOSPC) */
  fill(): void;
  /** gives the pages back */
  free(): void;
}

/**
 * A tmpfs of `kilobytes` mounted at `dir` (made when missing), unmounted after the test file,
 * before its home is removed. Only where `canMountDisk`.
 */
export function smallDisk(dir: string, kilobytes = 64): SmallDisk {
  mkdirSync(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${kilobytes}k`, 'tmpfs', dir], { stdio: 'ignore' });
  stopAfterFile(() => void execFileSync('umount', ['-l', dir], { stdio: 'ignore' }));
  const filler = join(dir, 'filler');
  return {
    dir,
    fill() {
      try {
        writeFileSync(filler, Buffer.alloc(kilobytes * 1024));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      }
    },
    free: () => rmSync(filler, { force: true }),
  };
}

/**
 * Whether this machine lets a test mount a tmpfs (root, and in a container CAP_SYS_ADMIN): the
 * tests that need a real full disk are skipped where it does not.
 */
export const canMountDisk: boolean = (() => {
  const probe = join(process.env.TMPDIR ?? '/tmp', `segsim-mount-probe-${process.pid}`);
  mkdirSync(probe, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4k', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
})();
