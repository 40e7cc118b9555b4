import type { Clock } from '../../clock.js';
import { destinationControlFor, TDC_QUEUE, type ApplianceConfig, type DestinationControl } from '../../config/model.js';
import type { HostStatus } from '../../host-status.js';
import type { QueuedRecipient, RecipientFilter } from '../../live.js';
import type { DestinationStats } from '../event-counters.js';
import type { IdAllocator } from '../ids.js';
import type { MailEvents } from '../mail-events.js';
import { queueRecord, type QueueRecord, type Spool } from '../spool.js';
import type { ColdEntry } from './cold-queue.js';
import { composeMessage } from './composer.js';
import { ConnectionPool, type Connection } from './connection-pool.js';
import { Destination, HOT_RECORDS } from './destination.js';
import type { Failure } from './failure.js';
import { bounceProfilePolicy, decide, expiresAt, TDC_POLICY, type QueuePolicy } from './queue-policy.js';
import type { Target } from './resolver.js';
import { Router } from './router.js';
import { DeliveryFailure } from './smtp-client.js';

export interface DeliveryDeps {
  clock: Clock;
  events: MailEvents;
  ids: IdAllocator;
  spool: Spool;
  /** a destination's counters, kept by EventCounters from the mail events */
  stats: (queue: string) => DestinationStats;
  config: () => Readonly<ApplianceConfig>;
  /** the lab's own host records: exchange.lab, the SETD intake domains */
  labHost: (host: string) => Target | null;
  /** the lab CA, trusted for STARTTLS to the SETD emulator */
  ca: string;
  /** records a queue holds in memory at most, waiting (the rest wait on disk only) */
  hotRecords?: number;
}

/**
 * The delivery queues, one per destination plus the.tdc.queue. Each follows its QueuePolicy (the
 * seed's TDC table, or the bounce profile); the connections are the pool's, the routes the
 * router's. What happens is told as mail events, and counted by their reader (event-counters.ts).
 */
export class Delivery {
  readonly #destinations = new Map<string, Destination>();
  /**
   * MID of a message file -> how many of its records are not finished (what its queue file
   * lists), for files with more than one: a file not here has one. Most messages have one record
   * (no journal copy, one recipient domain), and a long queue then costs no entry per message.
   */
  readonly #unfinished = new Map<number, number>();
  readonly #router: Router;
  readonly #pool: ConnectionPool;
  /** suspenddel ALL also holds destinations that appear later */
  #suspendAll = false;
  #stopping = false;
  #sweep: { cancel(): void } | null = null;

  constructor(private readonly deps: DeliveryDeps) {
    this.#router = new Router(() => deps.config().smtpRoutes, deps.labHost);
    this.#pool = new ConnectionPool(
      { clock: deps.clock, ids: deps.ids, events: deps.events, router: this.#router, control: (d) => this.#control(d), hostname: () => deps.config().hostname, ca: deps.ca },
      {
        send: (dest, connection, record) => this.#send(dest, connection, record),
        failed: (dest, record, failure, dcid) => this.#failed(dest, record, failure, dcid),
        discarded: (dest, record) => this.#delivered(dest, record, 0, record.rcpts, '/dev/null'),
      },
    );
  }

  start(): void {
    const tick = () => {
      this.#expireWaiting();
      if (!this.#stopping) this.#sweep = this.deps.clock.setTimeout(tick, 1000);
    };
    tick();
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.#sweep?.cancel();
    await this.#pool.stop(this.#destinations.values());
  }

  /**
   * Puts the records of one message file in their queues; `persist` false when they were read
   * back from the spool. Their queue file is written a little later, if they are still queued;
   * at once when a queue they join is long, for they then wait on disk only.
   */
  enqueue(file: string, records: QueueRecord[], persist = true): void {
    // each message file is enqueued once (from the work queue, or read back at start)
    if (records.length > 1) this.#unfinished.set(Number.parseInt(file, 10), records.length);
    // a long queue keeps the record on disk only: its queue file is written now, not later
    const full = records.map((r) => this.#destination(r.destination).full);
    const stored = !persist || full.includes(true);
    if (persist) void (stored ? this.deps.spool.saveQueue(file, records) : this.deps.spool.saveQueueLater(file, records));
    // nor its body, when no record of it will be sent soon
    if (!full.includes(false)) this.deps.spool.uncache(file);
    for (const r of records) {
      const dest = this.#destination(r.destination);
      dest.add(r, stored);
      this.#pool.kick(dest);
    }
  }

  /**
   * Writes a file's unfinished records again: the list as last saved, with the records that
   * changed (a retry) as they are now, less the ones gone (finished). Its other records may wait
   * on disk only: the saved list is what holds them.
   */
  #persist(file: string, changed: QueueRecord[], gone: QueueRecord[] = []): void {
    const saved = this.deps.spool.readQueue(file);
    if (!saved.ok) {
      // left as it is: the records on disk only are read back from it, and one that cannot be sets the message aside
      this.deps.events.emit({ type: 'spool.writeFailed', detail: `${file} was not updated: ${saved.problem}` });
      return;
    }
    const key = (r: QueueRecord) => `${r.mid} ${r.destination}`;
    const goneKeys = new Set(gone.map(key));
    const changedByKey = new Map(changed.map((r) => [key(r), r]));
    const records = saved.records.filter((r) => !goneKeys.has(key(r))).map((r) => changedByKey.get(key(r)) ?? r);
    void this.deps.spool.saveQueue(file, records);
  }

  /**
   * A cold record, read back from its queue file. One that cannot be (its queue file was damaged
   * or deleted by hand) takes its message to the spool quarantine: kept for an operator, never
   * deleted.
   */
  #load(entry: ColdEntry, destination: string): QueueRecord | null {
    const file = `${entry.fileMid}.eml`;
    const saved = this.deps.spool.readQueue(file);
    const found = saved.ok ? saved.records.find((r) => r.mid === entry.mid && r.destination === destination) : undefined;
    if (found) return queueRecord(found);
    this.#finished(entry.fileMid);
    const problem = saved.ok ? `its queue file has no record of MID ${entry.mid} for ${destination}` : saved.problem;
    const dir = this.deps.spool.quarantine(file);
    if (dir) this.deps.events.emit({ type: 'spool.quarantined', mid: entry.fileMid, dir, problem });
    return null;
  }

  /** One record of a message file is finished; true when it was the last. */
  #finished(fileMid: number): boolean {
    const left = (this.#unfinished.get(fileMid) ?? 1) - 1;
    if (left > 1) this.#unfinished.set(fileMid, left);
    else this.#unfinished.delete(fileMid);
    return left === 0;
  }

  hosts(): HostStatus[] {
    return [...this.#destinations.values()].map((d) => {
      const status = d.status();
      // before the first delivery, the route the next one will take (hoststatus shows it at once)
      const queued = status.routes.length === 0 ? d.anyMember() : undefined;
      const next = queued && this.#router.resolve(d.name, queued);
      if (next && next.kind === 'hosts') status.routes = [next.route];
      return status;
    });
  }

  queuedRecipients(filter: RecipientFilter): QueuedRecipient[] {
    const out: QueuedRecipient[] = [];
    for (const d of this.#destinations.values()) {
      for (const r of d.queued()) {
        if (!matchesFilter(d, r, filter)) continue;
        for (const x of r.rcpts) out.push({ mid: r.mid, rid: x.rid, host: d.name, sender: r.from, recipient: x.address, subject: r.subject, size: r.size, attempts: r.attempts, queuedAt: r.queuedAt });
      }
    }
    return out;
  }

  /** Deletes waiting recipients (in-flight ones finish their attempt). */
  deleteRecipients(filter: RecipientFilter): number {
    let deleted = 0;
    const touched = new Map<string, QueueRecord[]>();
    for (const d of this.#destinations.values()) {
      if ('host' in filter && d.name !== filter.host.toLowerCase()) continue;
      for (const r of d.removeWhere((x) => matchesFilter(d, x, filter))) {
        deleted += r.rcpts.length;
        this.deps.events.emit({ type: 'deleted', mid: r.mid, queue: d.name, rids: r.rcpts.map((x) => x.rid) });
        this.#forget(r, touched);
      }
    }
    for (const [file, gone] of touched) this.#persist(file, [], gone);
    return deleted;
  }

  deliverNow(host?: string): void {
    for (const d of this.#destinations.values()) {
      if (host !== undefined && d.name.toLowerCase() !== host.toLowerCase()) continue;
      this.deps.events.emit({ type: 'queue.kicked', queue: d.name });
      d.dueNow();
      this.#pool.kick(d);
    }
  }

  suspend(hosts: string[] | 'ALL'): void {
    for (const name of hosts === 'ALL' ? [...this.#destinations.keys()] : hosts) {
      this.#destination(name.toLowerCase()).suspended = true;
      this.deps.events.emit({ type: 'queue.suspended', queue: name });
    }
    if (hosts === 'ALL') this.#suspendAll = true;
  }

  resume(hosts: string[] | 'ALL'): void {
    if (hosts === 'ALL') this.#suspendAll = false;
    for (const d of this.#destinations.values()) {
      if (hosts !== 'ALL' && !hosts.some((h) => h.toLowerCase() === d.name)) continue;
      d.suspended = false;
      this.deps.events.emit({ type: 'queue.resumed', queue: d.name });
      this.#pool.kick(d);
    }
  }

  redirect(host: string): void {
    this.#router.redirect = host === '' ? null : host;
    this.deps.events.emit({ type: 'queue.redirected', host: this.#router.redirect });
    for (const d of this.#destinations.values()) this.#pool.kick(d);
  }

  #destination(name: string): Destination {
    let d = this.#destinations.get(name);
    if (!d) {
      d = new Destination(name, this.#policyFor(name), (entry, destination) => this.#load(entry, destination), this.deps.hotRecords ?? HOT_RECORDS, this.deps.stats(name));
      d.suspended = this.#suspendAll;
      this.#destinations.set(name, d);
    }
    return d;
  }

  #policyFor(name: string): () => QueuePolicy {
    if (name === TDC_QUEUE) return () => TDC_POLICY;
    // the bounce profile is read at each decision: a commit applies to mail already queued
    return () => bounceProfilePolicy(this.deps.config().bounceProfile);
  }

  #control(dest: Destination): Readonly<DestinationControl> {
    return destinationControlFor(this.deps.config().destinationControls, dest.name);
  }

  /** Sends one record on an open connection; false when the connection is no longer usable. */
  async #send(dest: Destination, { client, dcid }: Connection, record: QueueRecord): Promise<boolean> {
    dest.attempt(record);
    this.deps.events.emit({ type: 'delivery.started', dcid, mid: record.mid, queue: dest.name, rids: record.rcpts.map((r) => r.rid) });
    let body: Buffer;
    try {
      body = await composeMessage(this.deps.spool, record);
    } catch (error) {
      // the message file is gone (deleted by hand): nothing can be delivered
      this.#failed(dest, record, { kind: 'lost', detail: (error as Error).message }, dcid);
      return true;
    }
    try {
      const result = await client.send(
        record.from,
        record.rcpts.map((r) => r.address),
        body,
      );
      const delivered = record.rcpts.filter((r) => result.accepted.includes(r.address));
      if (result.rejected.length > 0) {
        await client.reset().catch(() => undefined);
        this.#delivered(dest, { ...record, rcpts: delivered }, dcid, delivered, result.response, false);
        dest.keepRecipients(
          record,
          record.rcpts.filter((r) => !result.accepted.includes(r.address)),
        );
        this.#failed(dest, record, result.rejected[0]!.failure, dcid);
      } else this.#delivered(dest, record, dcid, delivered, result.response);
      return true;
    } catch (error) {
      const failure: Failure = error instanceof DeliveryFailure ? error.failure : { kind: 'connection', cause: 'other', detail: String(error) };
      this.#failed(dest, record, failure, dcid);
      // a refused transaction ends with RSET; a connection that cannot even do that is dropped
      if (failure.kind !== 'smtp' || failure.code === 421) return false;
      return client.reset().then(
        () => true,
        () => false,
      );
    }
  }

  #delivered(dest: Destination, record: QueueRecord, dcid: number, rcpts: QueueRecord['rcpts'], response: string, finish = true): void {
    dest.lastActivity = this.deps.clock.now();
    this.deps.events.emit({ type: 'delivered', dcid, mid: record.mid, queue: dest.name, rids: rcpts.map((r) => r.rid), response });
    if (finish) this.#done(dest, record);
  }

  /** A failed attempt: what happens next is the policy's decision. */
  #failed(dest: Destination, record: QueueRecord, failure: Failure, dcid: number): void {
    const policy = dest.policy();
    // an attempt cut at the deadline ends at the deadline, whatever the timer's jitter
    const now = this.#pool.wasCut(record) ? Math.max(this.deps.clock.now(), expiresAt(record, policy)) : this.deps.clock.now();
    dest.lastActivity = now;
    const decision = decide(failure, record, policy, now);
    const rids = record.rcpts.map((r) => r.rid);
    if (decision.action === 'retry') {
      record.softBounces++;
      record.nextAttemptAt = decision.at;
      this.deps.events.emit({ type: 'deferred', dcid, mid: record.mid, queue: dest.name, rids, failure, retryAt: decision.at });
      // saved first: in a long queue it then waits on disk only
      this.#persist(record.file, [record]);
      dest.add(record, true);
      this.#pool.scheduleRetry(dest, now);
      return;
    }
    if (decision.action === 'expire') {
      this.deps.events.emit({ type: 'expired', dcid, mid: record.mid, queue: dest.name, rids, failure, seconds: policy.maxQueueSeconds });
    } else {
      this.deps.events.emit({ type: 'bounced', dcid, mid: record.mid, queue: dest.name, rids, failure, bucket: decision.bucket });
    }
    this.#done(dest, record);
  }

  #done(dest: Destination, record: QueueRecord): void {
    dest.finish(record);
    this.deps.events.emit({ type: 'finished', mid: record.mid, kind: record.kind, how: 'done' });
    this.#forget(record);
  }

  /**
   * Forgets a record on disk; its message file goes when no record uses it any more. Removing
   * many at once, the caller collects the files to write again in `touched` and writes each once.
   */
  #forget(record: QueueRecord, touched?: Map<string, QueueRecord[]>): void {
    if (this.#finished(Number.parseInt(record.file, 10))) {
      touched?.delete(record.file);
      void this.deps.spool.removeMessage(record.file);
    } else if (touched) touched.set(record.file, [...(touched.get(record.file) ?? []), record]);
    else this.#persist(record.file, [], [record]);
  }

  /** Under a policy with a deadline (the.tdc.queue's 120 seconds), waiting records leave when it passes. */
  #expireWaiting(): void {
    const now = this.deps.clock.now();
    for (const dest of this.#destinations.values()) {
      const policy = dest.policy();
      if (!policy.deadline) continue;
      const expired = (x: { queuedAt: number }) => now >= expiresAt(x, policy);
      // each second: no sweep of the queue (nor allocation per record on disk) until its oldest is due
      const oldest = dest.oldest();
      if (oldest === null || !expired({ queuedAt: oldest })) continue;
      const touched = new Map<string, QueueRecord[]>();
      for (const r of dest.removeWhere(expired, expired)) {
        dest.lastActivity = now;
        this.deps.events.emit({ type: 'expired', dcid: 0, mid: r.mid, queue: dest.name, rids: r.rcpts.map((x) => x.rid), failure: null, seconds: policy.maxQueueSeconds });
        this.deps.events.emit({ type: 'finished', mid: r.mid, kind: r.kind, how: 'done' });
        this.#forget(r, touched);
      }
      for (const [file, gone] of touched) this.#persist(file, [], gone);
    }
  }
}

function matchesFilter(dest: Destination, r: QueueRecord, filter: RecipientFilter): boolean {
  if ('all' in filter) return true;
  if ('host' in filter) return dest.name === filter.host.toLowerCase();
  return filter.caseSensitive ? r.from === filter.sender : r.from.toLowerCase() === filter.sender.toLowerCase();
}
