import type { Clock } from '../../clock.js';
import { TDC_QUEUE, type ApplianceConfig, type DestinationControl } from '../../config/model.js';
import type { HostStatus } from '../../host-status.js';
import type { QueuedRecipient, RecipientFilter } from '../../live.js';
import type { MailCounterSet } from '../counters.js';
import type { IdAllocator } from '../ids.js';
import type { MailLog } from '../mail-log.js';
import type { QueueRecord, Spool } from '../spool.js';
import { Destination } from './destination.js';
import { isLoopback, resolveDestination, splitHostPort, type Resolution, type Target } from './resolver.js';
import {
  bounceReason,
  classifyFailure,
  isTemporary,
  pythonReply,
  TDC_MAX_QUEUE_SECONDS,
  TDC_MIN_CONNECTIONS,
  TDC_RETRIES,
  TDC_RETRY_DELAY_SECONDS,
  type Failure,
} from './retry-policy.js';
import { SmtpClient } from './smtp-client.js';
import { headerEnd } from '../headers.js';
import { buildJournal } from '../journal.js';

export interface DeliveryDeps {
  clock: Clock;
  log: MailLog;
  ids: IdAllocator;
  spool: Spool;
  counters: MailCounterSet;
  config: () => Readonly<ApplianceConfig>;
  /** the lab's own host records: exchange.lab, the SETD intake domains */
  labHost: (host: string) => Target | null;
  /** the lab CA, trusted for STARTTLS to the SETD emulator */
  ca: string;
  /** told when a queue record leaves the queue (delivered or bounced) */
  onFinished?: (record: QueueRecord) => void;
}

const SETD = 'Cisco Secure Email Threat Defense';
/** `details:` of a Connection Error line, by reason */
const CONNECTION_DETAILS: Record<string, string> = { 'connection timed out': 'timeout', 'connection refused': 'Connection refused' };
/** Milliseconds to wait for the TCP connection, the greeting, and any reply. */
const TDC_TIMEOUTS = { connect: 60_000, greeting: 60_000, socket: 60_000 };
const ORDINARY_TIMEOUTS = { connect: 30_000, greeting: 30_000, socket: 60_000 };
const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1).toLowerCase();

/**
 * Delivery queues, one per destination plus the.tdc.queue, each with its own connections:
 * opened as records become due (at least 3 for TDC), reused for several messages, closed when
 * the queue empties. Retries follow the bounce profile, or the TDC retry table.
 */
export class Delivery {
  readonly #destinations = new Map<string, Destination>();
  /** message file -> its records not yet finished (what its queue file lists) */
  readonly #files = new Map<string, Set<QueueRecord>>();
  #redirect: string | null = null;
  /** suspenddel ALL also holds destinations that appear later */
  #suspendAll = false;
  #stopping = false;
  #sweep: { cancel(): void } | null = null;
  readonly #workers = new Set<Promise<void>>();

  constructor(private readonly deps: DeliveryDeps) {}

  start(): void {
    const tick = () => {
      this.#expireTdc();
      if (!this.#stopping) this.#sweep = this.deps.clock.setTimeout(tick, 1000);
    };
    tick();
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.#sweep?.cancel();
    for (const d of this.#destinations.values()) d.retryTimer?.cancel();
    await Promise.allSettled([...this.#workers]);
  }

  /**
   * Puts the records of one message file in their queues; `persist` false when they were read
   * back from the spool. Resolves once they are on disk.
   */
  enqueue(file: string, records: QueueRecord[], persist = true): Promise<void> {
    let users = this.#files.get(file);
    if (!users) this.#files.set(file, (users = new Set()));
    for (const r of records) users.add(r);
    const saved = persist ? this.deps.spool.saveQueue(file, [...users]) : Promise.resolve();
    for (const r of records) {
      const dest = this.#destination(r.destination);
      dest.add(r);
      this.#kick(dest);
    }
    return saved;
  }

  /** Writes a file's unfinished records again (a retry changed one). */
  #persist(file: string): void {
    const users = this.#files.get(file);
    if (users) void this.deps.spool.saveQueue(file, [...users]);
  }

  hosts(): HostStatus[] {
    return [...this.#destinations.values()].map((d) => d.status());
  }

  resetCounters(): void {
    for (const d of this.#destinations.values()) d.resetStats();
  }

  queuedRecipients(filter: RecipientFilter): QueuedRecipient[] {
    return [...this.#destinations.values()].flatMap((d) =>
      [...d.waiting, ...d.inFlight]
        .filter((r) => matchesFilter(d, r, filter))
        .flatMap((r) => r.rcpts.map((x) => ({ mid: r.mid, rid: x.rid, host: d.name, sender: r.from, recipient: x.address, subject: r.subject, size: r.size, attempts: r.attempts, queuedAt: r.queuedAt }))),
    );
  }

  /** Deletes waiting recipients (in-flight ones finish their attempt); logs `Deleted: MID n to [rids]`. */
  deleteRecipients(filter: RecipientFilter): number {
    let deleted = 0;
    for (const d of this.#destinations.values()) {
      for (const r of d.waiting.filter((x) => matchesFilter(d, x, filter))) {
        d.remove(r);
        d.stats.deleted += r.rcpts.length;
        this.deps.counters.add('deletedRecipients', r.rcpts.length);
        deleted += r.rcpts.length;
        this.deps.log.info(`Deleted: MID ${r.mid} to [${r.rcpts.map((x) => x.rid).join(', ')}]`);
        this.#finished(r);
      }
    }
    return deleted;
  }

  deliverNow(host?: string): void {
    for (const d of this.#destinations.values()) {
      if (host !== undefined && d.name.toLowerCase() !== host.toLowerCase()) continue;
      this.deps.log.info(`Kicking destination ${d.name}`);
      d.dueNow();
      this.#kick(d);
    }
  }

  suspend(hosts: string[] | 'ALL'): void {
    for (const name of hosts === 'ALL' ? [...this.#destinations.keys()] : hosts) {
      this.#destination(name.toLowerCase()).suspended = true;
      this.deps.log.info(`Deliveries are currently suspended [${name}]`);
    }
    if (hosts === 'ALL') this.#suspendAll = true;
  }

  resume(hosts: string[] | 'ALL'): void {
    if (hosts === 'ALL') this.#suspendAll = false;
    for (const d of this.#destinations.values()) {
      if (hosts !== 'ALL' && !hosts.some((h) => h.toLowerCase() === d.name)) continue;
      d.suspended = false;
      this.deps.log.info(`Mail delivery resumed [${d.name}]`);
      this.#kick(d);
    }
  }

  redirect(host: string): void {
    this.#redirect = host === '' ? null : host;
    this.deps.log.info(host === '' ? 'Redirection of all mail ended' : `All mail redirected to ${host}`);
    for (const d of this.#destinations.values()) this.#kick(d);
  }

  #destination(name: string): Destination {
    let d = this.#destinations.get(name);
    if (!d) {
      d = new Destination(name, name === TDC_QUEUE);
      d.suspended = this.#suspendAll;
      this.#destinations.set(name, d);
    }
    return d;
  }

  #control(dest: Destination): DestinationControl {
    const controls = this.deps.config().destinationControls;
    return controls.find((c) => c.domain.toLowerCase() === dest.name) ?? controls.find((c) => c.domain === 'Default') ?? { domain: 'Default', maxConnections: 500, maxMessagesPerConnection: 50 };
  }

  /** Opens connections while due records outnumber what the open ones will carry. */
  #kick(dest: Destination): void {
    if (this.#stopping) return;
    const now = this.deps.clock.now();
    const control = this.#control(dest);
    // counting further than one more connection's worth is wasted: kick runs at every enqueue,
    // so under a burst connections are added one by one while the queue may hold thousands
    const cap = Math.min(control.maxConnections, Math.max(dest.connections + 1, dest.isTdc ? TDC_MIN_CONNECTIONS : 1)) * control.maxMessagesPerConnection;
    const ready = dest.connections >= control.maxConnections ? 0 : dest.readyCount(now, cap);
    const wanted = ready === 0 ? 0 : Math.min(control.maxConnections, Math.max(dest.isTdc ? TDC_MIN_CONNECTIONS : 1, Math.ceil(ready / control.maxMessagesPerConnection)));
    for (let open = dest.connections; open < wanted; open++) {
      const worker = this.#work(dest).finally(() => this.#workers.delete(worker));
      this.#workers.add(worker);
    }
    this.#scheduleRetry(dest, now);
  }

  #scheduleRetry(dest: Destination, now: number): void {
    dest.retryTimer?.cancel();
    dest.retryTimer = null;
    const next = dest.nextRetryAt(now);
    if (Number.isFinite(next) && !this.#stopping) dest.retryTimer = this.deps.clock.setTimeout(() => this.#kick(dest), next - now + 5);
  }

  #resolve(dest: Destination, record: QueueRecord): Resolution {
    const config = this.deps.config();
    if (dest.isTdc) return resolveDestination(domainOf(record.rcpts[0]!.address), config.smtpRoutes, this.deps.labHost);
    if (this.#redirect) {
      const { host, port } = splitHostPort(this.#redirect);
      const lab = this.deps.labHost(host);
      if (lab) return { kind: 'hosts', targets: [lab], route: `redirect -> ${this.#redirect}` };
      return isLoopback(host) ? { kind: 'hosts', targets: [{ host, port: port ?? 25 }], route: `redirect -> ${this.#redirect}` } : { kind: 'nxdomain', domain: host };
    }
    return resolveDestination(dest.name, config.smtpRoutes, this.deps.labHost);
  }

  /** One connection: takes due records for one target and sends them, up to the per-connection limit. */
  async #work(dest: Destination): Promise<void> {
    dest.connections++;
    dest.pending++;
    let client: SmtpClient | null = null;
    let dcid = 0;
    let target: Target | null = null;
    let sent = 0;
    const limit = this.#control(dest).maxMessagesPerConnection;
    try {
      for (;;) {
        const record = dest.take(this.deps.clock.now(), (r) => !target || sameTarget(this.#resolve(dest, r), target));
        if (!record) break;
        const resolution = this.#resolve(dest, record);
        dest.routes = resolution.kind === 'hosts' ? [resolution.route] : dest.routes;
        if (resolution.kind === 'devnull') {
          this.#delivered(dest, record, 0, record.rcpts, '/dev/null');
          continue;
        }
        if (resolution.kind === 'nxdomain') {
          this.#failed(dest, record, { kind: 'dnsHard', reply: `DNS Hard Error looking up ${resolution.domain} (MX) : NXDomain`, code: 0, reason: 'NXDomain' }, 0, resolution.domain);
          continue;
        }
        if (!client) {
          target = resolution.targets[0]!;
          dcid = this.deps.ids.next('dcid');
          const opened = await this.#open(dest, target, dcid);
          if ('failure' in opened) {
            dest.hostDown = true;
            this.#failed(dest, record, opened.failure, dcid);
            break;
          }
          client = opened.client;
          dest.pending--;
        }
        const ok = await this.#send(dest, client, dcid, record);
        if (!ok || ++sent >= limit) break;
      }
    } finally {
      if (client) {
        client.quit();
        this.deps.log.info(`DCID ${dcid} close`);
      } else dest.pending--;
      dest.connections--;
      this.#kick(dest);
    }
  }

  async #open(dest: Destination, target: Target, dcid: number): Promise<{ client: SmtpClient } | { failure: Failure }> {
    // timeouts run on the appliance's clock, so a lab that compresses time shortens them too
    const scale = 1 / (this.deps.clock.factor ?? 1);
    const t = dest.isTdc ? TDC_TIMEOUTS : ORDINARY_TIMEOUTS;
    const client = new SmtpClient(target, {
      name: this.deps.config().hostname,
      requireTLS: dest.isTdc,
      ca: this.deps.ca,
      timeouts: { connect: t.connect * scale, greeting: t.greeting * scale, socket: t.socket * scale },
    });
    const prefix = dest.isTdc ? 'TDC: ' : '';
    try {
      await client.connect();
    } catch (error) {
      const failure = classifyFailure(error);
      client.close();
      if (failure.kind === 'network') {
        // the seed shows "details: timeout"; the rest are plausible forms (unconfirmed), not Node's texts
        const details = CONNECTION_DETAILS[failure.reason] ?? failure.reply.replace(/\s+/g, ' ');
        this.deps.log.info(`${prefix}Connection Error: DCID ${dcid} domain: ${dest.name} IP: ${target.host} port: ${target.port} details: ${details} interface: 127.0.0.1 reason: ${failure.reason}`);
      }
      return { failure };
    }
    dest.hostDown = false;
    this.deps.log.info(`${prefix}New SMTP DCID ${dcid} interface ${client.localAddress()} address ${target.host} port ${target.port}`);
    const tls = client.tls();
    if (tls) this.deps.log.info(`DCID ${dcid} TLS success protocol ${tls.protocol} cipher ${tls.cipher}`);
    return { client };
  }

  /** Sends one record on an open connection; false when the connection is no longer usable. */
  async #send(dest: Destination, client: SmtpClient, dcid: number, record: QueueRecord): Promise<boolean> {
    record.attempts++;
    const rids = `[${record.rcpts.map((r) => r.rid).join(', ')}]`;
    this.deps.log.info(dest.isTdc ? `TDC: Delivery start DCID ${dcid} MID ${record.mid}` : `Delivery start DCID ${dcid} MID ${record.mid} to RID ${rids}`);
    let body: Buffer;
    try {
      body = await this.#compose(record);
    } catch (error) {
      // the message file is gone (deleted by hand): nothing can be delivered
      this.#failed(dest, record, { kind: 'smtp5xx', reply: `554 5.3.0 message file lost: ${(error as Error).message}`, code: 554, reason: 'other' }, dcid);
      return true;
    }
    try {
      const result = await client.send(record.from, record.rcpts.map((r) => r.address), body);
      const delivered = record.rcpts.filter((r) => result.accepted.includes(r.address));
      const rejected = result.rejected;
      if (rejected.length > 0) {
        await client.reset().catch(() => undefined);
        const rest = { ...record, rcpts: record.rcpts.filter((r) => !result.accepted.includes(r.address)) };
        this.#delivered(dest, { ...record, rcpts: delivered }, dcid, delivered, result.response, false);
        record.rcpts = rest.rcpts;
        this.#failed(dest, record, classifyFailure(rejected[0]!.error), dcid);
      } else this.#delivered(dest, record, dcid, delivered, result.response);
      return true;
    } catch (error) {
      const failure = classifyFailure(error);
      this.#failed(dest, record, failure, dcid);
      // a refused transaction ends with RSET; a connection that cannot even do that is dropped
      if (failure.code === 0 || failure.code === 421) return false;
      return client.reset().then(
        () => true,
        () => false,
      );
    }
  }

  /** The bytes to send: the spool file with the added headers and subject tag, or the journal built from it. */
  async #compose(record: QueueRecord): Promise<Buffer> {
    const raw = this.deps.spool.readMessage(record.file);
    const original = withChanges(raw, record.addHeaders, record.subjectPrefix);
    if (!record.journal) return original;
    const j = record.journal;
    return buildJournal({ hostname: j.hostname, intakeAddress: record.rcpts[0]!.address, originalMid: j.originalMid, journalMid: record.mid, original, subject: j.subject, messageId: j.messageId });
  }

  #delivered(dest: Destination, record: QueueRecord, dcid: number, rcpts: QueueRecord['rcpts'], response: string, finish = true): void {
    const now = this.deps.clock.now();
    dest.lastActivity = now;
    dest.stats.delivered += rcpts.length;
    this.deps.counters.add('deliveredRecipients', rcpts.length);
    if (dest.isTdc) {
      this.deps.log.info(`TDC: MID ${record.mid} successfully delivered for scanning with ${SETD}.`);
    } else if (rcpts.length > 0) {
      const rids = `[${rcpts.map((r) => r.rid).join(', ')}]`;
      this.deps.log.info(`Message done DCID ${dcid} MID ${record.mid} to RID ${rids}`);
      this.deps.log.info(`MID ${record.mid} RID ${rids} Response '${response.replace(/^250[ -]/, '').trim()}'`);
    }
    if (finish) this.#done(dest, record);
  }

  /** A failed attempt: retried when the rules allow it, else a hard bounce. */
  #failed(dest: Destination, record: QueueRecord, failure: Failure, dcid: number, nxdomain?: string): void {
    const now = this.deps.clock.now();
    dest.lastActivity = now;
    const age = (now - record.queuedAt) / 1000;
    const profile = this.deps.config().bounceProfile;
    const retry = dest.isTdc
      ? record.softBounces < TDC_RETRIES[failure.kind] && age < TDC_MAX_QUEUE_SECONDS
      : isTemporary(failure.kind) && record.softBounces < profile.maxRetries && age < profile.maxTimeInQueueSeconds;
    const rids = record.rcpts.map((r) => r.rid).join(', ');
    if (retry) {
      record.softBounces++;
      dest.stats.softBounced++;
      this.deps.counters.add('softBouncedEvents');
      const delay = dest.isTdc ? TDC_RETRY_DELAY_SECONDS : Math.min(profile.maxRetrySeconds, profile.initialRetrySeconds * 2 ** (record.softBounces - 1));
      record.nextAttemptAt = now + delay * 1000;
      if (failure.code > 0) this.deps.log.info(`Delayed: DCID ${dcid} MID ${record.mid} to RID [${rids}] - ${bounceReason(failure)} ${pythonReply(failure)}`);
      dest.inFlight.delete(record);
      dest.add(record);
      this.#persist(record.file);
      this.#scheduleRetry(dest, now);
      return;
    }
    const n = record.rcpts.length;
    dest.stats.hardBounced += n;
    this.deps.counters.add('hardBouncedRecipients', n);
    const expired = (dest.isTdc && age >= TDC_MAX_QUEUE_SECONDS) || (!dest.isTdc && isTemporary(failure.kind));
    const bucket = failure.kind === 'dnsHard' ? 'dns' : expired ? 'expired' : failure.code >= 500 ? 'fiveXX' : 'other';
    dest.stats[bucket] += n;
    this.deps.counters.add(bucket === 'dns' ? 'dnsHardBounces' : bucket === 'expired' ? 'expiredHardBounces' : bucket === 'fiveXX' ? 'fiveXXHardBounces' : 'otherHardBounces', n);
    const log = this.deps.log;
    if (failure.kind === 'dnsHard') {
      const why = `5.1.2 - Bad destination host ('000', ['DNS Hard Error looking up ${nxdomain} (MX) : NXDomain'])`;
      log.info(`DNS Error ${nxdomain} MX - NXDomain`);
      if (dest.isTdc) {
        log.info(`TDC: Hard bounced - ${why}`);
        log.info(`TDC: MID ${record.mid} delivery failed to ${SETD}: Hard Bounced.`);
      }
      log.info(`Bounced: DCID 0 MID ${record.mid} to RID ${rids} - Bounced by destination server with response: ${why}`);
    } else if (dest.isTdc && failure.kind === 'tls') {
      log.info(`TDC: MID ${record.mid} delivery failed to ${SETD}:TLS Error.`);
    } else if (dest.isTdc) {
      log.info(`TDC: MID ${record.mid} delivery failed to ${SETD}: Hard Bounced.`);
      log.info(`Bounced: DCID ${dcid} MID ${record.mid} to RID ${rids} - ${failure.code > 0 ? `${bounceReason(failure)} ${pythonReply(failure)}` : `4.4.1 - ${failure.reason}`}`);
    } else {
      log.info(`Bounced: DCID ${dcid} MID ${record.mid} to RID ${rids} - ${expired ? `5.4.7 - Delivery expired (message too old) ${failure.code > 0 ? pythonReply(failure) : `('000', ['${failure.reason}'])`}` : `${bounceReason(failure)} ${pythonReply(failure)}`}`);
    }
    this.#done(dest, record);
  }

  #done(dest: Destination, record: QueueRecord): void {
    dest.inFlight.delete(record);
    this.deps.log.info(`Message finished MID ${record.mid} done`);
    this.#finished(record);
    this.deps.onFinished?.(record);
  }

  /** Forgets a record on disk; its message file goes when no record uses it any more. */
  #finished(record: QueueRecord): void {
    const users = this.#files.get(record.file);
    users?.delete(record);
    if (!users || users.size === 0) {
      this.#files.delete(record.file);
      void this.deps.spool.removeMessage(record.file);
    } else this.#persist(record.file);
  }

  /** TDC copies leave the queue after 120 seconds, delivered or not. */
  #expireTdc(): void {
    const dest = this.#destinations.get(TDC_QUEUE);
    if (!dest) return;
    const now = this.deps.clock.now();
    for (const r of dest.waiting.filter((x) => now - x.queuedAt >= TDC_MAX_QUEUE_SECONDS * 1000)) {
      dest.remove(r);
      dest.inFlight.add(r);
      this.deps.log.info(`TDC: MID ${r.mid} removed from the queue after ${TDC_MAX_QUEUE_SECONDS} seconds: delivery to ${SETD} expired.`);
      this.#failed(dest, r, { kind: 'network', reply: 'expired', code: 0, reason: 'expired' }, 0);
    }
  }
}

/** The message as delivered: added header lines first, the subject tagged ([SPAM] ) when asked. */
function withChanges(raw: Buffer, addHeaders: string[], subjectPrefix: string): Buffer {
  if (addHeaders.length === 0 && subjectPrefix === '') return raw;
  const added = Buffer.from(addHeaders.map((h) => `${h}\r\n`).join(''), 'latin1');
  if (!subjectPrefix) return Buffer.concat([added, raw]);
  // only the header block is rewritten; the body is passed on as it is
  const end = headerEnd(raw);
  const head = raw.subarray(0, end).toString('latin1');
  const subject = /^Subject:[ \t]?/im;
  const newHead = subject.test(head) ? head.replace(subject, (m) => `${m}${subjectPrefix}`) : `${head}\r\nSubject: ${subjectPrefix.trim()}`;
  return Buffer.concat([added, Buffer.from(newHead, 'latin1'), raw.subarray(end)]);
}

function sameTarget(resolution: Resolution, target: Target): boolean {
  return resolution.kind === 'hosts' && resolution.targets[0]!.host === target.host && resolution.targets[0]!.port === target.port;
}

function matchesFilter(dest: Destination, r: QueueRecord, filter: RecipientFilter): boolean {
  if ('all' in filter) return true;
  if ('host' in filter) return dest.name === filter.host.toLowerCase();
  return filter.caseSensitive ? r.from === filter.sender : r.from.toLowerCase() === filter.sender.toLowerCase();
}
