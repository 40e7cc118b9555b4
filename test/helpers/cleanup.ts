import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { FLUSH_MS } from '../../src/engine/logs/log-writer.js';

/**
 * What a test file leaves behind, removed after the file (test/setup.ts): the processes it started
 * are stopped first (none outlives a test that timed out, none still writes into a home being
 * removed), then its temporary homes are removed.
 */
const stops = new Set<() => Promise<void>>();
const dirs = new Set<string>();

/** Removes `dir` after the test file; returns it. */
export function removeAfterFile(dir: string): string {
  dirs.add(dir);
  return dir;
}

/** Runs `stop` after the test file (before homes are removed): for processes and servers a test starts. */
export function stopAfterFile(stop: () => void | Promise<void>): void {
  stops.add(async () => stop());
}

/** Kills `child` after the test file if it still runs; returns it. */
export function killAfterFile<T extends ChildProcess>(child: T): T {
  stopAfterFile(
    () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
        setTimeout(resolve, 2000).unref();
      }),
  );
  return child;
}

/** Stops what still runs and removes the homes (test/setup.ts, after each test file). */
export async function cleanUpAfterFile(): Promise<void> {
  const pending = [...stops];
  stops.clear();
  await Promise.allSettled(pending.map((stop) => stop()));
  // log lines a test's last commit buffered are written before their home goes (else the writer says it is gone)
  if (dirs.size > 0) await new Promise((resolve) => setTimeout(resolve, FLUSH_MS + 20));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  dirs.clear();
}
