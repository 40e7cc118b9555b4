import { existsSync, readFileSync, writeFileSync, renameSync, openSync, fsyncSync, closeSync } from 'node:fs';
import { join } from 'node:path';

type IdKind = 'mid' | 'icid' | 'dcid';
const BLOCK = 1000;

/**
 * ICIDs, MIDs and DCIDs that never repeat, also across restarts and crashes: the state file holds
 * a high-water mark reserved a block ahead, and is synced before any ID of a new block is used.
 */
export class IdAllocator {
  readonly #file: string;
  #next: Record<IdKind, number>;
  #reserved: Record<IdKind, number>;

  constructor(stateDir: string) {
    this.#file = join(stateDir, 'ids.json');
    const stored = existsSync(this.#file) ? (JSON.parse(readFileSync(this.#file, 'utf8')) as Record<IdKind, number>) : { mid: 1, icid: 1, dcid: 1 };
    this.#next = { ...stored };
    this.#reserved = { ...stored };
  }

  next(kind: IdKind): number {
    if (this.#next[kind] >= this.#reserved[kind]) {
      this.#reserved[kind] = this.#next[kind] + BLOCK;
      this.#persist();
    }
    return this.#next[kind]++;
  }

  /** The last ID issued of a kind (0 before the first). */
  last(kind: IdKind): number {
    return this.#next[kind] - 1;
  }

  #persist(): void {
    const tmp = `${this.#file}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.#reserved));
    const fd = openSync(tmp, 'r');
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, this.#file);
  }
}
