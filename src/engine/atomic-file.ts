import { closeSync, fsyncSync, openSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface AtomicWriteOptions {
  /** file mode of a new file (0o600 for what only the owner may read) */
  mode?: number;
  /** one line, for small machine-only files; otherwise indented for people, ending in a newline */
  compact?: boolean;
}

/**
 * Replaces a JSON file atomically and durably: written under `<path>.tmp`, synced, then renamed
 * over `path`, so that a crash (even of the machine) leaves the old file or the new one, never
 * half of either. For state and configuration files, not for the per-message hot path.
 */
export function writeJsonAtomic(path: string, value: unknown, options: AtomicWriteOptions = {}): void {
  const text = options.compact ? JSON.stringify(value) : `${JSON.stringify(value, null, 2)}\n`;
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, text, options.mode === undefined ? undefined : { mode: options.mode });
  const fd = openSync(tmp, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  // the rename itself survives a power cut only once the directory is synced
  const dir = openSync(dirname(path), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}
