import { closeSync, fsyncSync, linkSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface AtomicWriteOptions {
  /** file mode of a new file (0o600 for what only the owner may read) */
  mode?: number;
  /** one line, for small machine-only files; otherwise indented for people, ending in a newline */
  compact?: boolean;
}

let written = 0;

/**
 * A temporary name of this writer's own beside `path`: processes sharing a home (a one-shot run
 * beside a starting appliance) each write under their own, so that none renames away or
 * truncates another's half-written file.
 */
function temporaryName(path: string): string {
  return `${path}.${process.pid}-${++written}.tmp`;
}

/** Writes `text` under a temporary name beside `path`, synced; returns that name. */
function writeSyncedTemporary(path: string, text: string, mode: number | undefined): string {
  const tmp = temporaryName(path);
  try {
    writeFileSync(tmp, text, mode === undefined ? undefined : { mode });
    const fd = openSync(tmp, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
  return tmp;
}

/** The rename (or link) of a file survives a power cut only once its directory is synced. */
function syncDirectory(path: string): void {
  const dir = openSync(dirname(path), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

/**
 * Replaces a file atomically and durably: written under a temporary name of this writer's own,
 * synced, then renamed over `path`, so that a crash (even of the machine) leaves the old file or
 * the new one, never half of either. For state and configuration files, not for the per-message
 * hot path.
 */
export function writeTextAtomic(path: string, text: string, options: Pick<AtomicWriteOptions, 'mode'> = {}): void {
  const tmp = writeSyncedTemporary(path, text, options.mode);
  try {
    renameSync(tmp, path);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
  syncDirectory(path);
}

/**
 * Creates `path` with `text` unless it exists, atomically: the whole file appears at once or not at
 * all, and of processes creating it at the same moment exactly one does (a hard link fails when the
 * name is taken, where a rename would replace what another wrote). Returns false when the file
 * was there already (the caller then reads it).
 */
export function createTextAtomic(path: string, text: string, options: Pick<AtomicWriteOptions, 'mode'> = {}): boolean {
  const tmp = writeSyncedTemporary(path, text, options.mode);
  try {
    linkSync(tmp, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    rmSync(tmp, { force: true });
  }
  syncDirectory(path);
  return true;
}

function jsonText(value: unknown, options: AtomicWriteOptions): string {
  return options.compact ? JSON.stringify(value) : `${JSON.stringify(value, null, 2)}\n`;
}

/** writeTextAtomic for a JSON value. */
export function writeJsonAtomic(path: string, value: unknown, options: AtomicWriteOptions = {}): void {
  writeTextAtomic(path, jsonText(value, options), options);
}

/** createTextAtomic for a JSON value: false when `path` exists already. */
export function createJsonAtomic(path: string, value: unknown, options: AtomicWriteOptions = {}): boolean {
  return createTextAtomic(path, jsonText(value, options), options);
}
