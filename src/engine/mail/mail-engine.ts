import type { AddressInfo } from 'node:net';
import type { SMTPServer } from 'smtp-server';
import type { Appliance } from '../appliance.js';
import type { ApplianceStatus } from '../appliance-status.js';
import { LAB_MAIL_HOST, type ListenerConfig } from '../config/model.js';
import { ErrorCodes, UserError } from '../../errors.js';
import { ensureDir } from '../home.js';
import type { HostStatus } from '../host-status.js';
import type { LiveAppliance, QueuedRecipient, RecipientFilter } from '../live.js';
import type { LogChannel } from '../logs/appliance-logs.js';
import { SYSTEM_STARTING, SYSTEM_STOPPING } from '../logs/system-lines.js';
import { ensureLabPki } from '../tls.js';
import { applianceIdentity } from '../appliance-identity.js';
import { ipInterfaceName } from '../ip-interfaces.js';
import { ASYNCOS_VERSION } from '../../version.js';
import { SystemSampler } from '../system-gauges.js';
import { MessageTracking } from '../message-tracking.js';
import { MailCounterSet } from './counters.js';
import { EventCounters } from './event-counters.js';
import { Delivery } from './delivery/delivery.js';
import type { Target } from './delivery/resolver.js';
import { HAT_REJECT_REPLY, hostAccessVerdict, type HatVerdict } from '../host-access.js';
import { IdAllocator, maxIds } from './ids.js';
import { createLabMailServer } from './lab-mail-server.js';
import { createListener, ratAccepts, refreshListener } from './listener.js';
import { SmtpReply } from './smtp-adapter.js';
import { MailEvents } from './mail-events.js';
import { logLevel, mailLogLines } from './mail-log-lines.js';
import { Spool, type QueueRecord } from './spool.js';
import { WorkQueue } from './work-queue.js';

export interface MailEngineOptions {
  /** more lab host records (the SETD emulator's intake domains), besides exchange.lab */
  labHosts?: () => ReadonlyMap<string, Target>;
  /** where a file the appliance cannot use or write is reported besides mail_logs (default: stderr) */
  warn?: (text: string) => void;
  /** records a delivery queue holds in memory at most, waiting (default HOT_RECORDS; tests make it small) */
  hotRecords?: number;
}

const stderrWarn = (text: string) => void process.stderr.write(`segsim: ${text}\n`);

const listen = (server: SMTPServer, port: number, host: string) =>
  new Promise<AddressInfo>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.server.address() as AddressInfo);
    });
  });

function listenerRefusal(l: Readonly<ListenerConfig>, wanted: string, current: string, error: unknown): UserError {
  const why = (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));
  return new UserError(`Listener ${l.name} cannot listen on ${wanted} (${why}); it keeps listening on ${current}.`, ErrorCodes.unavailable);
}

/**
 * The appliance's mail system: listener, work queue, delivery queues (the.tdc.queue included),
 * the lab mail server, mail_logs and counters. It implements the live view operators use.
 */
export class MailEngine implements LiveAppliance {
  /** the mail_logs subscriptions' lines (the appliance's log subscriptions of type mail_logs) */
  readonly log: LogChannel;
  /** what happens to mail; mail_logs is one of its readers */
  readonly events: MailEvents;
  /** message tracking: the store and its index */
  readonly tracking: MessageTracking;
  readonly #ids: IdAllocator;
  readonly #spool: Spool;
  readonly #counters: MailCounterSet;
  readonly #delivery: Delivery;
  readonly #workQueue: WorkQueue;
  readonly #startedAt: number;
  readonly #system: SystemSampler;
  #listener: SMTPServer | null = null;
  #labServer: SMTPServer | null = null;
  #listenerAddress: AddressInfo | null = null;
  #labAddress: AddressInfo | null = null;
  #inbound = 0;
  /** connections whose host the HAT lets relay: the RAT is not asked for their recipients */
  readonly #relaying = new Set<number>();
  readonly #pki;
  readonly #warn: (text: string) => void;

  /** A problem of the appliance's own files: in mail_logs and on the operator's terminal. */
  #report(text: string): void {
    this.events.emit({ type: 'appliance.warning', text });
    this.#warn(text);
  }

  constructor(
    private readonly appliance: Appliance,
    private readonly options: MailEngineOptions = {},
  ) {
    const { paths, clock } = appliance;
    ensureDir(paths.state);
    this.#startedAt = clock.now();
    this.#warn = options.warn ?? stderrWarn;
    this.log = appliance.logs.channel('mail_logs');
    this.events = new MailEvents(() => clock.now());
    this.events.on((e) => {
      const level = logLevel(e);
      for (const line of mailLogLines(e)) this.log.write(level, line);
    });
    this.tracking = MessageTracking.writer(paths.tracking);
    this.events.on((e) => this.tracking.record(e));
    // a log file cannot report its own trouble in itself
    appliance.logs.warn = this.#warn;
    const report = (text: string) => this.#report(text);
    this.#spool = new Spool(paths.spool);
    this.#system = new SystemSampler({ logs: ensureDir(paths.logs), spool: paths.spool });
    this.#spool.onError = (error) => this.events.emit({ type: 'spool.writeFailed', detail: error.message });
    this.#ids = new IdAllocator(paths.state, { now: () => clock.now(), report, highestUsed: () => maxIds(this.#spool.highestIds(), appliance.logs.highestMailIds()) });
    this.#counters = new MailCounterSet(paths.state, () => clock.now(), report);
    const counting = new EventCounters(this.#counters);
    this.events.on((e) => counting.reduce(e));
    this.log.onWritten = () => this.#counters.save();
    this.#pki = ensureLabPki(paths.tls, ['localhost', LAB_MAIL_HOST], report, () => clock.now());
    const config = () => appliance.configuration.current;
    this.#delivery = new Delivery({
      clock,
      events: this.events,
      ids: this.#ids,
      spool: this.#spool,
      stats: (queue) => counting.destination(queue),
      config,
      labHost: (host) => this.#labHost(host),
      ca: this.#pki.ca,
      hotRecords: options.hotRecords,
    });
    this.#workQueue = new WorkQueue({
      spool: this.#spool,
      events: this.events,
      ids: this.#ids,
      delivery: this.#delivery,
      config,
      now: () => clock.now(),
    });
  }

  async start(): Promise<void> {
    const config = this.appliance.configuration.current;
    const identity = applianceIdentity(this.appliance.paths, this.appliance.clock.now());
    if (identity.problem) this.#report(identity.problem);
    // what the home's logs of an older segsim left to say, once moved to their subscriptions
    for (const problem of this.appliance.logs.problems.splice(0)) this.#report(problem);
    this.appliance.logs.channel('system_logs').info(SYSTEM_STARTING);
    this.events.emit({ type: 'system.version', version: ASYNCOS_VERSION, serial: identity.serial });
    this.events.emit({ type: 'system.comingUp' });
    // what the store already holds is indexed in the background, in slices; searches wait for it
    this.tracking.start().catch((error: Error) => this.#report(`Message tracking could not be indexed: ${error.message}`));
    this.#labServer = createLabMailServer(ensureDir(this.appliance.paths.mailboxes));
    this.#labAddress = await listen(this.#labServer, config.lab.mailServerPort, '127.0.0.1');
    this.#labPort = config.lab.mailServerPort;
    this.#delivery.start();
    this.#recover();
    this.#listener = this.#createListener();
    // errors of one client connection (a failed TLS handshake, a reset) never stop the listener
    this.#listener.on('error', (error: Error) => this.events.emit({ type: 'listener.connectionError', detail: error.message }));
    this.#listenerAddress = await listen(this.#listener, config.listener.port, config.listener.bindAddress);
    this.#listenerOn = `${config.listener.bindAddress}:${config.listener.port}`;
    this.events.emit({ type: 'listener.started', name: config.listener.name });
    const configuration = this.appliance.configuration;
    const unguard = configuration.guard(async (next) => {
      await this.#moveListener(next.listener);
      await this.#moveLabServer(next.lab.mailServerPort);
    });
    const unlisten = configuration.onCommit((c) => this.#listener && refreshListener(this.#listener, c.listener, c.hostname));
    this.#unsubscribe = () => {
      unguard();
      unlisten();
    };
  }

  #unsubscribe: (() => void) | null = null;
  #listenerOn = '';

  /**
   * Before a commit: a new address or port is bound first, and only then is the old one let go,
   * so that a listener that cannot move keeps listening where it was and the commit is refused.
   */
  async #moveListener(l: Readonly<ListenerConfig>): Promise<void> {
    const wanted = `${l.bindAddress}:${l.port}`;
    const old = this.#listener;
    if (!old || wanted === this.#listenerOn) return;
    const open = async () => {
      const next = this.#createListener();
      next.on('error', (error: Error) => this.events.emit({ type: 'listener.connectionError', detail: error.message }));
      return { next, address: await listen(next, l.port, l.bindAddress) };
    };
    let moved: { next: SMTPServer; address: AddressInfo };
    try {
      moved = await open();
    } catch (error) {
      // the same port on another address of this host: let the old socket go first, and take it back on failure
      const samePort = l.port !== 0 && this.#listenerAddress?.port === l.port && (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
      if (!samePort) throw listenerRefusal(l, wanted, this.#listenerOn, error);
      await new Promise<void>((r) => old.server.close(() => r()));
      try {
        moved = await open();
      } catch (again) {
        const [host, port] = [this.#listenerAddress!.address, this.#listenerAddress!.port];
        await new Promise<void>((resolve, reject) => old.server.listen(port, host, () => resolve()).once('error', reject));
        throw listenerRefusal(l, wanted, this.#listenerOn, again);
      }
    }
    old.close(() => undefined);
    this.#listener = moved.next;
    this.#listenerAddress = moved.address;
    this.#listenerOn = wanted;
    this.events.emit({ type: 'listener.started', name: l.name });
  }

  /**
   * Before a commit: the lab mail server binds its new port, then lets the old one go (a port
   * that cannot be bound refuses the commit, and it keeps listening where it was).
   */
  async #moveLabServer(port: number): Promise<void> {
    const old = this.#labServer;
    if (!old || port === this.#labPort) return;
    const next = createLabMailServer(ensureDir(this.appliance.paths.mailboxes));
    let address: AddressInfo;
    try {
      address = await listen(next, port, '127.0.0.1');
    } catch (error) {
      const why = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new UserError(`The lab mail server cannot listen on 127.0.0.1:${port} (${why}); it keeps listening on 127.0.0.1:${this.#labAddress?.port}.`, ErrorCodes.unavailable);
    }
    old.close(() => undefined);
    this.#labServer = next;
    this.#labAddress = address;
    this.#labPort = port;
  }

  /** the lab mail server's configured port (0: the free one it took) */
  #labPort = -1;

  async stop(): Promise<void> {
    this.#unsubscribe?.();
    await Promise.all([this.#listener, this.#labServer].map((s) => (s ? new Promise<void>((r) => s.close(() => r())) : undefined)));
    await this.#delivery.stop();
    await this.#workQueue.idle();
    await this.#spool.settle();
    // nothing issues an ID any more: the next start continues with the next ones
    this.#ids.close();
    this.appliance.logs.channel('system_logs').info(SYSTEM_STOPPING);
    this.log.flush();
    this.appliance.logs.flush();
    this.#counters.save();
    this.#counters.close();
    await this.tracking.close();
  }

  listenerAddress(): { host: string; port: number } {
    const a = this.#listenerAddress;
    if (!a) return { host: this.appliance.configuration.current.listener.bindAddress, port: this.appliance.configuration.current.listener.port };
    return { host: a.address === '0.0.0.0' || a.address === '::' ? '127.0.0.1' : a.address, port: a.port };
  }

  labMailServerAddress(): Target {
    return { host: '127.0.0.1', port: this.#labAddress?.port ?? 0 };
  }

  #labHost(host: string): Target | null {
    const name = host.toLowerCase();
    if (name === LAB_MAIL_HOST && this.#labAddress) return this.labMailServerAddress();
    return this.options.labHosts?.().get(name) ?? null;
  }

  /** Puts back what the previous run left: queued records first, then messages not yet through the work queue. */
  #recover(): void {
    const { received, queued, quarantined, requeued, damagedLog } = this.#spool.recover();
    for (const text of damagedLog) this.#report(text);
    for (const q of quarantined) {
      this.events.emit({ type: 'spool.quarantined', mid: q.mid, dir: this.#spool.quarantineDir, problem: q.problem });
      this.#warn(`MID ${q.mid} was moved to the spool quarantine ${this.#spool.quarantineDir}: ${q.problem}`);
    }
    for (const r of requeued) this.events.emit({ type: 'spool.requeued', mid: r.mid, problem: r.problem });
    const byFile = new Map<string, QueueRecord[]>();
    for (const q of queued) {
      const list = byFile.get(q.file);
      if (list) list.push(q);
      else byFile.set(q.file, [q]);
    }
    for (const [file, records] of byFile) this.#delivery.enqueue(file, records, false);
    if (queued.length + received.length > 0) this.events.emit({ type: 'spool.recovered', queued: queued.length, received: received.length });
    for (const r of received) this.#workQueue.add(r);
  }

  #createListener(): SMTPServer {
    const config = () => this.appliance.configuration.current;
    const events = this.events;
    return createListener(
      () => config().listener,
      this.#pki,
      () => config().hostname,
      {
        refusesTcp: (remoteIp, localIp) => {
          const verdict = hostAccessVerdict(config().listener.hostAccess, remoteIp);
          if (verdict.behavior !== 'TCPREFUSE') return false;
          this.#hostRefused(remoteIp, localIp, verdict);
          return true;
        },
        connect: (remoteIp, localIp) => {
          // read again here (the gate read it at TCP accept): a commit in between wins, also for TCPREFUSE (then a 554)
          const verdict = hostAccessVerdict(config().listener.hostAccess, remoteIp);
          if (verdict.behavior === 'REJECT' || verdict.behavior === 'TCPREFUSE') {
            this.#hostRefused(remoteIp, localIp, verdict);
            throw new SmtpReply(554, HAT_REJECT_REPLY);
          }
          const icid = this.#icidOpened(remoteIp, localIp, verdict);
          this.#inbound++;
          if (verdict.behavior === 'RELAY') this.#relaying.add(icid);
          return icid;
        },
        tls: (icid, tls) => events.emit({ type: 'icid.tls', icid, ...tls }),
        mailFrom: (icid, from) => {
          const mid = this.#ids.next('mid');
          events.emit({ type: 'message.started', mid, icid, from });
          return mid;
        },
        rcptTo: (icid, mid, address, rid) => {
          if (!this.#relaying.has(icid) && !ratAccepts(config().listener, address)) {
            events.emit({ type: 'recipient.rejected', mid, icid, address });
            throw new SmtpReply(550, '#5.1.0 Address rejected');
          }
          events.emit({ type: 'recipient.accepted', mid, icid, rid, address });
          return rid;
        },
        data: async (m) => {
          const record = {
            mid: m.mid,
            icid: m.icid,
            from: m.from,
            rcpts: m.rcpts,
            remoteIp: m.remoteIp,
            receivedAt: this.appliance.clock.now(),
            size: m.body.length,
            messageId: m.messageId,
            subject: m.subject,
          };
          await this.#spool.saveReceived(record, m.body);
          events.emit({ type: 'accepted', mid: m.mid, icid: m.icid, from: m.from, rcpts: m.rcpts, messageId: m.messageId, subject: m.subject, size: m.body.length });
          this.#workQueue.add(record);
          // the 250 waits until its lines (and the counters) are in their files: a crash after it loses neither
          await this.log.written();
        },
        tooBig: (icid, mid, size) => events.emit({ type: 'message.tooBig', mid, icid, size, limit: config().listener.maxMessageSize }),
        aborted: (icid, mid) => events.emit({ type: 'receiving.aborted', mid, icid }),
        close: (icid) => {
          this.#inbound--;
          this.#relaying.delete(icid);
          events.emit({ type: 'icid.closed', icid });
        },
      },
    );
  }

  /** A new connection's ICID, logged with the HAT's verdict on its host. */
  #icidOpened(remoteIp: string, localIp: string, verdict: HatVerdict): number {
    const icid = this.#ids.next('icid');
    this.events.emit({ type: 'icid.opened', icid, interfaceName: ipInterfaceName(localIp), bindAddress: localIp, remoteIp, access: verdict.behavior, match: verdict.match });
    return icid;
  }

  /** A connection the HAT turns away (REJECT or TCPREFUSE): opened and closed in the log. */
  #hostRefused(remoteIp: string, localIp: string, verdict: HatVerdict): void {
    this.events.emit({ type: 'icid.closed', icid: this.#icidOpened(remoteIp, localIp, verdict) });
  }

  // ---- the live view (LiveAppliance) ----

  hosts(): HostStatus[] {
    return this.#delivery.hosts();
  }

  status(): ApplianceStatus {
    const now = this.appliance.clock.now();
    const hosts = this.hosts();
    const oldest = hosts.map((h) => h.oldestMessage).filter((t): t is number => t !== null);
    const sum = (f: (h: HostStatus) => number) => hosts.reduce((n, h) => n + f(h), 0);
    const c = this.#counters;
    return {
      now,
      upSince: this.#startedAt,
      lastCounterReset: c.lastReset,
      oldestMessage: oldest.length > 0 ? Math.min(...oldest) : null,
      quarantinedMessages: this.#spool.quarantineCount(),
      counters: { reset: c.sinceReset(), uptime: c.uptime(), lifetime: c.lifetime() },
      ids: { mid: this.#ids.last('mid'), icid: this.#ids.last('icid'), dcid: this.#ids.last('dcid') },
      rates: {
        messagesReceived: c.rate('messagesReceived'),
        recipientsReceived: c.rate('recipientsReceived'),
        softBouncedEvents: c.rate('softBouncedEvents'),
        completedRecipients: c.rate('completedRecipients'),
        hardBouncedRecipients: c.rate('hardBouncedRecipients'),
        deliveredRecipients: c.rate('deliveredRecipients'),
      },
      gauges: {
        ...this.#system.read(),
        currentInboundConnections: this.#inbound,
        currentOutboundConnections: sum((h) => h.connectionsOut),
        activeRecipients: sum((h) => h.activeRecipients),
        unattemptedRecipients: sum((h) => h.unattemptedRecipients),
        attemptedRecipients: sum((h) => h.attemptedRecipients),
        messagesInWorkQueue: this.#workQueue.length,
        destinationsInMemory: hosts.length,
        kilobytesUsed: Math.ceil(this.#spool.bytes / 1024),
        workQueuePaused: this.#workQueue.paused,
      },
    };
  }

  resetCounters(): void {
    this.events.emit({ type: 'counters.reset' });
  }

  workQueue(): { paused: boolean; messages: number } {
    return { paused: this.#workQueue.paused, messages: this.#workQueue.length };
  }

  pauseWorkQueue(reason: string): void {
    this.#workQueue.pause(reason);
  }

  resumeWorkQueue(): void {
    this.#workQueue.resume();
  }

  queuedRecipients(filter: RecipientFilter): QueuedRecipient[] {
    return this.#delivery.queuedRecipients(filter);
  }

  deleteRecipients(filter: RecipientFilter): number {
    return this.#delivery.deleteRecipients(filter);
  }

  deliverNow(host?: string): void {
    this.#delivery.deliverNow(host);
  }

  suspendDelivery(hosts: string[] | 'ALL'): void {
    this.#delivery.suspend(hosts);
  }

  resumeDelivery(hosts: string[] | 'ALL'): void {
    this.#delivery.resume(hosts);
  }

  redirectAll(host: string): void {
    this.#delivery.redirect(host);
  }
}
