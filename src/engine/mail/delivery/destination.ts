import type { HostStatus } from '../../host-status.js';
import { zeroStats, type DestinationStats } from '../event-counters.js';
import type { QueueRecord } from '../spool.js';
import { ColdQueue, type ColdEntry } from './cold-queue.js';
import type { QueuePolicy } from './queue-policy.js';

/** Records a queue holds in memory at most, waiting (more wait on disk only: see ColdQueue). */
export const HOT_RECORDS = 1000;
/** A queue with records on disk reads them back in batches of this many when it has fewer than this in memory. */
const REFILL = 256;

/** Reads a cold record back from its queue file; null when it cannot be (the message was set aside). */
export type ColdLoader = (entry: ColdEntry, destination: string) => QueueRecord | null;

/**
 * One delivery queue: a recipient domain, or the.tdc.queue, with the QueuePolicy it follows.
 * Views of a long queue (tens of thousands of records) stay cheap: the oldest message is kept in
 * a heap, and taking from the front does not shift the array. Memory stays flat as the queue
 * grows: past HOT_RECORDS waiting, records whose queue file is saved wait on disk only, as a few
 * numbers in a ColdQueue, and are read back, oldest first, as the ones in memory run low.
 */
export class Destination {
  /** waiting records in memory, in arrival order, from #head on */
  #waiting: (QueueRecord | undefined)[] = [];
  #head = 0;
  /** how many waiting records have a retry time (the others are due at once) */
  #deferred = 0;
  readonly inFlight = new Set<QueueRecord>();
  /** waiting in memory and in flight */
  readonly #members = new Set<QueueRecord>();
  /** waiting on disk only, after the ones in memory */
  readonly #cold = new ColdQueue();
  /** queuedAt min-heap over members; entries of records gone are dropped when they surface */
  readonly #byAge: QueueRecord[] = [];
  /** recipients of the members, and of those not yet attempted: kept as they change, so views need not walk the queue */
  #activeRcpts = 0;
  #unattemptedRcpts = 0;
  connections = 0;
  /** connections being opened */
  pending = 0;
  hostDown: boolean | null = null;
  lastActivity: number | null = null;
  suspended = false;
  routes: string[] = [];
  retryTimer: { cancel(): void } | null = null;

  /**
   * With `load`, records wait on disk only once more than `hotRecords` wait; without it, every
   * record stays in memory.
   */
  constructor(
    readonly name: string,
    readonly policy: () => QueuePolicy,
    private readonly load: ColdLoader | null = null,
    private readonly hotRecords = HOT_RECORDS,
    /** its counters: EventCounters' object for it, which moves as the mail events are read */
    readonly stats: Readonly<DestinationStats> = zeroStats(),
  ) {}

  /** The waiting records in memory, in arrival order (a copy). */
  #hotWaiting(): QueueRecord[] {
    const out: QueueRecord[] = [];
    for (let i = this.#head; i < this.#waiting.length; i++) if (this.#waiting[i]) out.push(this.#waiting[i]!);
    return out;
  }

  /** Every record the queue holds: waiting, in flight, and (read back, left on disk) the cold ones. */
  *queued(): Generator<QueueRecord> {
    yield* this.#hotWaiting();
    yield* this.inFlight;
    for (const i of this.#cold.slots()) {
      const r = this.#load(i);
      if (r) yield r;
    }
  }

  get size(): number {
    return this.#members.size + this.#cold.size;
  }

  /** How many records wait on disk only. */
  get coldSize(): number {
    return this.#cold.size;
  }

  /** One record the queue holds (the oldest still queued is not needed: any tells its route), or undefined. */
  anyMember(): QueueRecord | undefined {
    const hot = this.#members.values().next().value;
    if (hot) return hot;
    for (const i of this.#cold.slots()) {
      const r = this.#load(i);
      if (r) return r;
    }
    return undefined;
  }

  /** Whether a record added now would wait on disk only (if its queue file is saved). */
  get full(): boolean {
    return this.load !== null && (this.#cold.size > 0 || this.#members.size - this.inFlight.size >= this.hotRecords);
  }

  /**
   * Queues a record; its nextAttemptAt says when it is due (0: at once). `stored`: its queue file
   * as saved lists it as it is now, so it may wait on disk only.
   */
  add(record: QueueRecord, stored = false): void {
    this.inFlight.delete(record);
    const member = this.#members.has(record);
    if (!member) this.#count(record, 1);
    if (stored && this.full) {
      // its entry in #byAge is dropped when it surfaces
      if (member) this.#members.delete(record);
      this.#cold.push(record);
      return;
    }
    this.#waiting.push(record);
    if (record.nextAttemptAt > 0) this.#deferred++;
    if (!member) this.#warmed(record);
  }

  /** A record comes to be held in memory. */
  #warmed(record: QueueRecord): void {
    this.#members.add(record);
    heapPush(this.#byAge, record);
    this.#pruneByAge();
  }

  /**
   * Drops the #byAge entries of records gone: those on top at once, all of them once they
   * outnumber the members. Run as records come, not only when a view asks for the oldest: a
   * queue nobody looks at kept every record it ever held (~650 bytes a message).
   */
  #pruneByAge(): void {
    const heap = this.#byAge;
    while (heap.length > 0 && !this.#members.has(heap[0]!)) heapPop(heap);
    if (heap.length > 2 * this.#members.size + 1024) {
      heap.length = 0;
      for (const r of this.#members) heapPush(heap, r);
    }
  }

  /** A cold entry's record, read back (its retry time is the entry's: delivernow changes it in memory only); null when it cannot be, and then the entry is gone. */
  #load(i: number): QueueRecord | null {
    const entry = this.#cold.entry(i);
    const r = this.load!(entry, this.name);
    if (r) r.nextAttemptAt = entry.nextAttemptAt;
    else this.#dropCold(i, entry);
    return r;
  }

  #dropCold(i: number, entry: ColdEntry): void {
    this.#cold.remove(i);
    this.#activeRcpts -= entry.rcpts;
    if (!entry.attempted) this.#unattemptedRcpts -= entry.rcpts;
  }

  /** Brings a cold record into memory, waiting; null when it cannot be read back. */
  #warm(i: number): QueueRecord | null {
    const r = this.#load(i);
    if (!r) return null;
    this.#cold.remove(i);
    this.#waiting.push(r);
    if (r.nextAttemptAt > 0) this.#deferred++;
    this.#warmed(r);
    return r;
  }

  /** Reads cold records back, oldest first, when few are left in memory. */
  #refill(): void {
    const batch = Math.min(REFILL, this.hotRecords);
    if (this.#cold.size === 0 || this.#members.size - this.inFlight.size >= batch) return;
    let n = 0;
    for (const i of this.#cold.slots()) {
      this.#warm(i);
      if (++n >= batch) break;
    }
  }

  #count(record: QueueRecord, sign: 1 | -1): void {
    this.#activeRcpts += sign * record.rcpts.length;
    if (record.attempts === 0) this.#unattemptedRcpts += sign * record.rcpts.length;
  }

  /** A member's delivery attempt begins (its recipients count as attempted from now on). */
  attempt(record: QueueRecord): void {
    if (record.attempts === 0 && this.#members.has(record)) this.#unattemptedRcpts -= record.rcpts.length;
    record.attempts++;
  }

  /** A member keeps only some of its recipients (the others were delivered). */
  keepRecipients(record: QueueRecord, rcpts: QueueRecord['rcpts']): void {
    if (this.#members.has(record)) {
      this.#count(record, -1);
      record.rcpts = rcpts;
      this.#count(record, 1);
    } else record.rcpts = rcpts;
  }

  /**
   * Takes waiting records that match out of the queue for good. Cold ones are read back to be
   * matched, only those `mayMatch` lets through when it is given (it sees the entry's numbers).
   */
  removeWhere(matches: (r: QueueRecord) => boolean, mayMatch?: (entry: ColdEntry) => boolean): QueueRecord[] {
    const removed: QueueRecord[] = [];
    for (let i = this.#head; i < this.#waiting.length; i++) {
      const r = this.#waiting[i];
      if (r && matches(r)) {
        this.#waiting[i] = undefined;
        if (r.nextAttemptAt > 0) this.#deferred--;
        this.#members.delete(r);
        this.#count(r, -1);
        removed.push(r);
      }
    }
    if (removed.length > 0) this.#compact(true);
    for (const i of this.#cold.slots()) {
      const entry = this.#cold.entry(i);
      if (mayMatch && !mayMatch(entry)) continue;
      const r = this.#load(i);
      if (!r || !matches(r)) continue;
      this.#cold.remove(i);
      this.#count(r, -1);
      removed.push(r);
    }
    return removed;
  }

  /** A record in flight leaves the queue (delivered, bounced, expired). */
  finish(record: QueueRecord): void {
    this.inFlight.delete(record);
    if (this.#members.delete(record)) this.#count(record, -1);
  }

  /** Makes every waiting record due now (delivernow). */
  dueNow(): void {
    for (let i = this.#head; i < this.#waiting.length; i++) if (this.#waiting[i]) this.#waiting[i]!.nextAttemptAt = 0;
    this.#deferred = 0;
    this.#cold.dueNow();
  }

  /** The earliest retry time after `now`, or Infinity. */
  nextRetryAt(now: number): number {
    let next = this.#cold.nextRetryAt(now);
    if (this.#deferred === 0) return next;
    for (let i = this.#head; i < this.#waiting.length; i++) {
      const r = this.#waiting[i];
      if (r && r.nextAttemptAt > now && r.nextAttemptAt < next) next = r.nextAttemptAt;
    }
    return next;
  }

  /** How many waiting records are due, counting no further than `cap` (the queue may be long). */
  readyCount(now: number, cap = Infinity): number {
    if (this.suspended) return 0;
    const n = this.#hotReadyCount(now, cap);
    return n >= cap ? n : n + this.#cold.readyCount(now, cap - n);
  }

  #hotReadyCount(now: number, cap: number): number {
    const waiting = this.#members.size - this.inFlight.size;
    // records without a retry time are due: no need to look at them one by one
    if (waiting - this.#deferred >= cap) return cap;
    if (this.#deferred === 0) return waiting;
    let n = 0;
    for (let i = this.#head; i < this.#waiting.length; i++) {
      const r = this.#waiting[i];
      if (r && r.nextAttemptAt <= now && ++n >= cap) break;
    }
    return n;
  }

  /** Takes the next record that is due (and matches, when a connection wants one for its host). */
  take(now: number, matches: (r: QueueRecord) => boolean = () => true): QueueRecord | undefined {
    if (this.suspended) return undefined;
    this.#refill();
    for (let i = this.#head; i < this.#waiting.length; i++) {
      const r = this.#waiting[i];
      if (!r || r.nextAttemptAt > now || !matches(r)) continue;
      this.#waiting[i] = undefined;
      if (r.nextAttemptAt > 0) this.#deferred--;
      this.inFlight.add(r);
      this.#compact(false);
      return r;
    }
    // none in memory is due: the first due on disk (behind records in memory that wait for a retry)
    const i = this.#cold.firstDue(now);
    if (i < 0) return undefined;
    const r = this.#warm(i);
    return r && matches(r) ? this.take(now, (x) => x === r) : undefined;
  }

  /** Moves the head past taken slots; rebuilds the array when holes dominate. */
  #compact(force: boolean): void {
    while (this.#head < this.#waiting.length && this.#waiting[this.#head] === undefined) this.#head++;
    const waiting = this.#members.size - this.inFlight.size;
    if (this.#head === this.#waiting.length) {
      this.#waiting = [];
      this.#head = 0;
    } else if ((force || this.#head > 1024) && this.#waiting.length - this.#head > 2 * waiting + 64) {
      this.#waiting = this.#hotWaiting();
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head > this.#waiting.length / 2) {
      this.#waiting = this.#waiting.slice(this.#head);
      this.#head = 0;
    }
  }

  /** The queuedAt of the oldest record the queue holds, or null. */
  oldest(): number | null {
    this.#pruneByAge();
    const heap = this.#byAge;
    const hot = heap.length > 0 ? heap[0]!.queuedAt : null;
    const cold = this.#cold.oldest();
    return hot === null || (cold !== null && cold < hot) ? cold : hot;
  }

  status(): HostStatus {
    const active = this.#activeRcpts;
    const unattempted = this.#unattemptedRcpts;
    const s = this.stats;
    return {
      host: this.name,
      activeRecipients: active,
      unattemptedRecipients: unattempted,
      attemptedRecipients: active - unattempted,
      connectionsOut: this.connections,
      pendingConnections: this.pending,
      deliveredRecipients: s.delivered,
      softBouncedEvents: s.softBounced,
      hardBouncedRecipients: s.hardBounced,
      hardBounces: { dns: s.dns, fiveXX: s.fiveXX, filter: 0, expired: s.expired, other: s.other },
      deletedRecipients: s.deleted,
      hostDown: this.hostDown,
      oldestMessage: this.oldest(),
      lastActivity: this.lastActivity,
      routes: this.routes,
      suspended: this.suspended,
    };
  }
}

function heapPush(heap: QueueRecord[], r: QueueRecord): void {
  heap.push(r);
  let i = heap.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (heap[parent]!.queuedAt <= r.queuedAt) break;
    heap[i] = heap[parent]!;
    i = parent;
  }
  heap[i] = r;
}

function heapPop(heap: QueueRecord[]): void {
  const last = heap.pop()!;
  if (heap.length === 0) return;
  let i = 0;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= heap.length) break;
    const c = l + 1 < heap.length && heap[l + 1]!.queuedAt < heap[l]!.queuedAt ? l + 1 : l;
    if (heap[c]!.queuedAt >= last.queuedAt) break;
    heap[i] = heap[c]!;
    i = c;
  }
  heap[i] = last;
}
