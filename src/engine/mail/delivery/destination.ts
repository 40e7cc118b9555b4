import type { HostStatus } from '../../host-status.js';
import type { QueueRecord } from '../spool.js';
import type { QueuePolicy } from './queue-policy.js';

export interface DestinationStats {
  delivered: number;
  softBounced: number;
  hardBounced: number;
  dns: number;
  fiveXX: number;
  expired: number;
  other: number;
  deleted: number;
}

const zeroStats = (): DestinationStats => ({ delivered: 0, softBounced: 0, hardBounced: 0, dns: 0, fiveXX: 0, expired: 0, other: 0, deleted: 0 });

/**
 * One delivery queue: a recipient domain, or the.tdc.queue, with the QueuePolicy it follows.
 * Views of a long queue (tens of thousands of records) stay cheap: the oldest message is kept in
 * a heap, and taking from the front does not shift the array.
 */
export class Destination {
  /** waiting records, in arrival order, from #head on */
  #waiting: (QueueRecord | undefined)[] = [];
  #head = 0;
  /** how many waiting records have a retry time (the others are due at once) */
  #deferred = 0;
  readonly inFlight = new Set<QueueRecord>();
  /** waiting and in flight: what the queue holds */
  readonly #members = new Set<QueueRecord>();
  /** queuedAt min-heap over members; entries of records gone are dropped when they surface */
  readonly #byAge: QueueRecord[] = [];
  /** recipients of the members, and of those not yet attempted: kept as they change, so views need not walk the queue */
  #activeRcpts = 0;
  #unattemptedRcpts = 0;
  connections = 0;
  /** connections being opened */
  pending = 0;
  stats = zeroStats();
  hostDown: boolean | null = null;
  lastActivity: number | null = null;
  suspended = false;
  routes: string[] = [];
  retryTimer: { cancel(): void } | null = null;

  constructor(
    readonly name: string,
    readonly policy: () => QueuePolicy,
  ) {}

  /** The waiting records, in arrival order (a copy). */
  get waiting(): QueueRecord[] {
    const out: QueueRecord[] = [];
    for (let i = this.#head; i < this.#waiting.length; i++) if (this.#waiting[i]) out.push(this.#waiting[i]!);
    return out;
  }

  get size(): number {
    return this.#members.size;
  }

  /** One record the queue holds (the oldest still queued is not needed: any tells its route), or undefined. */
  anyMember(): QueueRecord | undefined {
    return this.#members.values().next().value;
  }

  /** Queues a record; its nextAttemptAt says when it is due (0: at once). */
  add(record: QueueRecord): void {
    this.#waiting.push(record);
    if (record.nextAttemptAt > 0) this.#deferred++;
    this.inFlight.delete(record);
    if (!this.#members.has(record)) {
      this.#members.add(record);
      this.#count(record, 1);
      heapPush(this.#byAge, record);
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

  /** Takes records out of the queue for good: waiting ones that match, or one record in flight. */
  removeWhere(matches: (r: QueueRecord) => boolean): QueueRecord[] {
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
  }

  /** The earliest retry time after `now`, or Infinity. */
  nextRetryAt(now: number): number {
    let next = Infinity;
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
    for (let i = this.#head; i < this.#waiting.length; i++) {
      const r = this.#waiting[i];
      if (!r || r.nextAttemptAt > now || !matches(r)) continue;
      this.#waiting[i] = undefined;
      if (r.nextAttemptAt > 0) this.#deferred--;
      this.inFlight.add(r);
      this.#compact(false);
      return r;
    }
    return undefined;
  }

  /** Moves the head past taken slots; rebuilds the array when holes dominate. */
  #compact(force: boolean): void {
    while (this.#head < this.#waiting.length && this.#waiting[this.#head] === undefined) this.#head++;
    const waiting = this.#members.size - this.inFlight.size;
    if (this.#head === this.#waiting.length) {
      this.#waiting = [];
      this.#head = 0;
    } else if ((force || this.#head > 1024) && this.#waiting.length - this.#head > 2 * waiting + 64) {
      this.#waiting = this.waiting;
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head > this.#waiting.length / 2) {
      this.#waiting = this.#waiting.slice(this.#head);
      this.#head = 0;
    }
  }

  /** The queuedAt of the oldest record the queue holds, or null. */
  oldest(): number | null {
    const heap = this.#byAge;
    while (heap.length > 0 && !this.#members.has(heap[0]!)) heapPop(heap);
    // records gone but not surfaced: rebuild once they outnumber the members
    if (heap.length > 2 * this.#members.size + 1024) {
      heap.length = 0;
      for (const r of this.#members) heapPush(heap, r);
    }
    return heap.length > 0 ? heap[0]!.queuedAt : null;
  }

  resetStats(): void {
    this.stats = zeroStats();
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
