import type { HostStatus } from '../../host-status.js';
import type { QueueRecord } from '../spool.js';

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

/** One delivery queue: a recipient domain, or the.tdc.queue. */
export class Destination {
  /** waiting records, in arrival order */
  readonly #waiting: QueueRecord[] = [];
  /** how many waiting records have a retry time (the others are due at once) */
  #deferred = 0;
  readonly inFlight = new Set<QueueRecord>();
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
    readonly isTdc: boolean,
  ) {}

  get waiting(): readonly QueueRecord[] {
    return this.#waiting;
  }

  /** Queues a record; its nextAttemptAt says when it is due (0: at once). */
  add(record: QueueRecord): void {
    this.#waiting.push(record);
    if (record.nextAttemptAt > 0) this.#deferred++;
  }

  remove(record: QueueRecord): void {
    const i = this.#waiting.indexOf(record);
    if (i >= 0) this.#removeAt(i);
  }

  #removeAt(i: number): QueueRecord {
    const [record] = this.#waiting.splice(i, 1);
    if (record!.nextAttemptAt > 0) this.#deferred--;
    return record!;
  }

  /** Makes every waiting record due now (delivernow). */
  dueNow(): void {
    for (const r of this.#waiting) r.nextAttemptAt = 0;
    this.#deferred = 0;
  }

  /** The earliest retry time after `now`, or Infinity. */
  nextRetryAt(now: number): number {
    let next = Infinity;
    if (this.#deferred === 0) return next;
    for (const r of this.#waiting) if (r.nextAttemptAt > now && r.nextAttemptAt < next) next = r.nextAttemptAt;
    return next;
  }

  /** How many waiting records are due, counting no further than `cap` (the queue may be long). */
  readyCount(now: number, cap = Infinity): number {
    if (this.suspended) return 0;
    // records without a retry time are due: no need to look at them one by one
    if (this.#waiting.length - this.#deferred >= cap) return cap;
    if (this.#deferred === 0) return this.#waiting.length;
    let n = 0;
    for (const r of this.#waiting) {
      if (r.nextAttemptAt <= now && ++n >= cap) break;
    }
    return n;
  }

  /** Takes the next record that is due (and matches, when a connection wants one for its host). */
  take(now: number, matches: (r: QueueRecord) => boolean = () => true): QueueRecord | undefined {
    if (this.suspended) return undefined;
    const i = this.#waiting.findIndex((r) => r.nextAttemptAt <= now && matches(r));
    if (i < 0) return undefined;
    const record = this.#removeAt(i);
    this.inFlight.add(record);
    return record;
  }

  resetStats(): void {
    this.stats = zeroStats();
  }

  status(): HostStatus {
    const all = [...this.waiting, ...this.inFlight];
    const rcpts = (rs: QueueRecord[]) => rs.reduce((n, r) => n + r.rcpts.length, 0);
    const s = this.stats;
    return {
      host: this.name,
      activeRecipients: rcpts(all),
      unattemptedRecipients: rcpts(all.filter((r) => r.attempts === 0)),
      attemptedRecipients: rcpts(all.filter((r) => r.attempts > 0)),
      connectionsOut: this.connections,
      pendingConnections: this.pending,
      deliveredRecipients: s.delivered,
      softBouncedEvents: s.softBounced,
      hardBouncedRecipients: s.hardBounced,
      hardBounces: { dns: s.dns, fiveXX: s.fiveXX, filter: 0, expired: s.expired, other: s.other },
      deletedRecipients: s.deleted,
      hostDown: this.hostDown,
      oldestMessage: oldestOf(all),
      lastActivity: this.lastActivity,
      routes: this.routes,
      suspended: this.suspended,
    };
  }
}

/** The earliest queuedAt (a loop: spreading a long queue into Math.min overflows the stack). */
function oldestOf(records: readonly QueueRecord[]): number | null {
  let oldest: number | null = null;
  for (const r of records) if (oldest === null || r.queuedAt < oldest) oldest = r.queuedAt;
  return oldest;
}
