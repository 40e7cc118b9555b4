import { statSync } from 'node:fs';
import { basename } from 'node:path';
import type { JsonShape } from '../engine/json-shape.js';
import { latestKeptAside, readJsonFile, tryKeepAside } from '../engine/state-file.js';
import { writeJsonAtomic } from '../engine/atomic-file.js';

/** A store file found bad and set aside (renamed, never deleted). */
export interface FileProblem {
  file: string;
  /** where the bad content is now; null when it could not be renamed (it stays where it was) */
  keptAs: string | null;
  /** what is wrong with it: "is not JSON: Unexpected token", "is not valid: faults[0].mode ..." */
  problem: string;
}

/** The sentence that names a set-aside file, for commands and errors. */
export function describeProblem(p: FileProblem): string {
  const fix = p.keptAs === null ? 'repair or remove it' : `it was set aside as ${basename(p.keptAs)}: repair it and rename it back to ${basename(p.file)}`;
  return `SETD store file ${p.file} ${p.problem}; ${fix}.`;
}

export interface CheckedFileOptions<T> {
  /** names the whole value in problems: "faults[0].mode must be one of ..." */
  label: string;
  shape: JsonShape<T>;
  /** what the file reads as when it is missing or bad */
  empty: () => T;
  /** the time in the name of a set-aside copy */
  now: () => number;
  /** told when a read finds that the file changed on disk (written by another process) */
  changed?: () => void;
  /** told when a read finds the file bad and sets it aside */
  setAside?: (problem: FileProblem) => void;
}

/** How often, at most, a file is looked at (one stat) for changes made by another process. */
const REVALIDATE_MS = 250;

/**
 * One JSON file of the SETD store, checked by shape on every read. The intake reads accounts and
 * faults on every SMTP command, so the parsed value is cached and the file read again only when
 * its size or mtime changed, looked at (one stat) at most every REVALIDATE_MS of real time: a
 * change made by another process is seen within that.
 *
 * A file that does not parse or has the wrong shape is renamed `<name>.bad-<time>` and reads as
 * `empty`, with `problem()` naming it. While the file is missing and such a copy exists, the
 * problem stays (so another process, or the next run, does not mistake it for an empty store);
 * a valid file written or renamed back ends it.
 */
export class CheckedJsonFile<T> {
  readonly path: string;
  #stamp = '';
  #checkedAt = -Infinity;
  #value: T;
  #problem: FileProblem | null = null;

  readonly #o: CheckedFileOptions<T>;

  constructor(path: string, options: CheckedFileOptions<T>) {
    this.path = path;
    this.#o = options;
    this.#value = options.empty();
  }

  /** The parsed value, shared: read only. Empty while the file is bad. */
  read(): T {
    const real = performance.now(); // I/O caching, not appliance time: a lab's x20 clock must not stat 20 times as often
    if (real - this.#checkedAt < REVALIDATE_MS) return this.#value;
    this.#checkedAt = real;
    const stamp = this.#stampNow();
    if (stamp !== this.#stamp) {
      const first = this.#stamp === '';
      this.#load(stamp);
      if (!first) this.#o.changed?.();
    }
    return this.#value;
  }

  /** Why the file reads as empty, or null when it is fine. */
  problem(): FileProblem | null {
    this.read();
    return this.#problem;
  }

  /** Replaces the file atomically (temporary file, sync, rename); ends a problem. */
  write(value: T): void {
    writeJsonAtomic(this.path, value);
    this.#value = value;
    this.#problem = null;
    this.#stamp = this.#stampNow();
    this.#checkedAt = performance.now();
  }

  #stampNow(): string {
    try {
      const st = statSync(this.path, { throwIfNoEntry: false });
      if (st) return `${st.size}:${st.mtimeMs}`;
    } catch (error) {
      return `unreadable:${(error as NodeJS.ErrnoException).code}`; // the read that follows says what is wrong
    }
    return `missing:${latestKeptAside(this.path) ?? ''}`;
  }

  #load(stamp: string): void {
    this.#value = this.#o.empty();
    this.#problem = null;
    this.#stamp = stamp;
    if (stamp.startsWith('missing:')) {
      const kept = stamp.slice('missing:'.length);
      if (kept) this.#problem = { file: this.path, keptAs: kept, problem: this.#check(kept).problem ?? 'is missing' };
      return;
    }
    const { value, problem } = this.#check(this.path);
    if (problem === null) {
      this.#value = value!;
      return;
    }
    const aside = tryKeepAside(this.path, this.#o.now()); // never throws: the intake reads through here
    this.#problem = { file: this.path, keptAs: aside.keptAs, problem: aside.keptAs === null ? `${problem} (and it could not be set aside: ${aside.error})` : problem };
    this.#stamp = this.#stampNow();
    this.#o.setAside?.(this.#problem);
  }

  #check(path: string): { value?: T; problem: string | null } {
    const read = readJsonFile(path, this.#o.shape, { root: this.#o.label, base: this.#o.label });
    if (read.state === 'ok') return { value: read.value, problem: null };
    // gone since the stat: it reads as empty, and the next look sees it missing
    if (read.state === 'missing') return { value: this.#o.empty(), problem: null };
    return { problem: `is ${read.problem}` };
  }
}
