import type { QueueRecord } from '../spool.js';

/** What a cold record keeps in memory: what the queue's counts, due times and age need, and where to read it back. */
export interface ColdEntry {
  mid: number;
  /** the MID in its message file's name (`<fileMid>.eml`): the original's, for a split or a journal copy */
  fileMid: number;
  queuedAt: number;
  nextAttemptAt: number;
  rcpts: number;
  attempted: boolean;
}

const LIVE = 1;
const ATTEMPTED = 2;

/**
 * Records of a long queue that wait on disk only (in their queue files), in arrival order, as a
 * few numbers each in typed arrays: about 40 bytes a record instead of about 1 KB of objects and
 * strings. A queue of 100,000 held messages then costs a few MB. Removed entries leave holes
 * that are closed when they outnumber the live ones.
 */
export class ColdQueue {
  #capacity = 64;
  #mid = new Float64Array(this.#capacity);
  #fileMid = new Float64Array(this.#capacity);
  #queuedAt = new Float64Array(this.#capacity);
  #next = new Float64Array(this.#capacity);
  #rcpts = new Uint32Array(this.#capacity);
  /** LIVE (0 marks a hole), ATTEMPTED */
  #flags = new Uint8Array(this.#capacity);
  #head = 0;
  #end = 0;
  #size = 0;
  /** live entries with a retry time */
  #deferred = 0;

  get size(): number {
    return this.#size;
  }

  push(r: QueueRecord): void {
    if (this.#end === this.#capacity) this.#makeRoom();
    const i = this.#end++;
    this.#mid[i] = r.mid;
    this.#fileMid[i] = Number.parseInt(r.file, 10);
    this.#queuedAt[i] = r.queuedAt;
    this.#next[i] = r.nextAttemptAt;
    this.#rcpts[i] = r.rcpts.length;
    this.#flags[i] = LIVE | (r.attempts > 0 ? ATTEMPTED : 0);
    this.#size++;
    if (r.nextAttemptAt > 0) this.#deferred++;
  }

  /** The entry at a slot (see slots). */
  entry(i: number): ColdEntry {
    return { mid: this.#mid[i]!, fileMid: this.#fileMid[i]!, queuedAt: this.#queuedAt[i]!, nextAttemptAt: this.#next[i]!, rcpts: this.#rcpts[i]!, attempted: (this.#flags[i]! & ATTEMPTED) !== 0 };
  }

  /** The live slots, oldest first (a snapshot: removing while iterating is fine). */
  *slots(): Generator<number> {
    const end = this.#end;
    for (let i = this.#head; i < end; i++) if (this.#flags[i] !== 0) yield i;
  }

  /** The first live slot due at `now` (retry time passed or none), or -1. */
  firstDue(now: number): number {
    for (let i = this.#head; i < this.#end; i++) if (this.#flags[i] !== 0 && this.#next[i]! <= now) return i;
    return -1;
  }

  /** Takes an entry out. */
  remove(i: number): void {
    if (this.#flags[i] === 0) return;
    this.#flags[i] = 0;
    this.#size--;
    if (this.#next[i]! > 0) this.#deferred--;
    while (this.#head < this.#end && this.#flags[this.#head] === 0) this.#head++;
    if (this.#head === this.#end) this.#head = this.#end = 0;
  }

  /** How many entries are due at `now`, counting no further than `cap`. */
  readyCount(now: number, cap: number): number {
    if (this.#size - this.#deferred >= cap) return cap;
    if (this.#deferred === 0) return this.#size;
    let n = 0;
    for (let i = this.#head; i < this.#end && n < cap; i++) if (this.#flags[i] !== 0 && this.#next[i]! <= now) n++;
    return n;
  }

  /** The earliest retry time after `now`, or Infinity. */
  nextRetryAt(now: number): number {
    let next = Infinity;
    if (this.#deferred === 0) return next;
    for (let i = this.#head; i < this.#end; i++) {
      const t = this.#next[i]!;
      if (this.#flags[i] !== 0 && t > now && t < next) next = t;
    }
    return next;
  }

  /** Every entry due now (delivernow). */
  dueNow(): void {
    this.#next.fill(0, this.#head, this.#end);
    this.#deferred = 0;
  }

  /** The queuedAt of the oldest entry, or null (a scan of numbers: about 0.1 ms for 100,000). */
  oldest(): number | null {
    let oldest = Infinity;
    for (let i = this.#head; i < this.#end; i++) if (this.#flags[i] !== 0 && this.#queuedAt[i]! < oldest) oldest = this.#queuedAt[i]!;
    return oldest === Infinity ? null : oldest;
  }

  /** At the end of the arrays: closes the holes, then grows by half if still more than half full. */
  #makeRoom(): void {
    let to = 0;
    for (let i = this.#head; i < this.#end; i++) {
      if (this.#flags[i] === 0) continue;
      this.#mid[to] = this.#mid[i]!;
      this.#fileMid[to] = this.#fileMid[i]!;
      this.#queuedAt[to] = this.#queuedAt[i]!;
      this.#next[to] = this.#next[i]!;
      this.#rcpts[to] = this.#rcpts[i]!;
      this.#flags[to] = this.#flags[i]!;
      to++;
    }
    this.#flags.fill(0, to);
    this.#head = 0;
    this.#end = to;
    if (to <= this.#capacity / 2) return;
    this.#capacity = Math.ceil(this.#capacity * 1.5);
    this.#mid = grown(this.#mid, this.#capacity);
    this.#fileMid = grown(this.#fileMid, this.#capacity);
    this.#queuedAt = grown(this.#queuedAt, this.#capacity);
    this.#next = grown(this.#next, this.#capacity);
    this.#rcpts = grown(this.#rcpts, this.#capacity);
    this.#flags = grown(this.#flags, this.#capacity);
  }
}

/** A copy of a typed array with room for `capacity` entries. */
function grown<T extends Float64Array | Uint32Array | Uint8Array>(a: T, capacity: number): T {
  const b = new (a.constructor as new (length: number) => T)(capacity);
  b.set(a);
  return b;
}
