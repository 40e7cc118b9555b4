import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import { freemem, totalmem } from 'node:os';
import type { SMTPServer } from 'smtp-server';
import type { Appliance } from '../appliance.js';
import type { ApplianceStatus } from '../appliance-status.js';
import { LAB_MAIL_HOST } from '../config/model.js';
import { ensureDir } from '../home.js';
import { highestLoggedIds } from '../log-files.js';
import type { HostStatus } from '../host-status.js';
import type { LiveAppliance, QueuedRecipient, RecipientFilter } from '../live.js';
import { ensureLabPki } from '../tls.js';
import { MailCounterSet } from './counters.js';
import { Delivery } from './delivery/delivery.js';
import type { Target } from './delivery/resolver.js';
import { IdAllocator, maxIds } from './ids.js';
import { createLabMailServer } from './lab-mail-server.js';
import { createListener, ratAccepts, SmtpReply } from './listener.js';
import { MailLog } from './mail-log.js';
import { Spool, type QueueRecord } from './spool.js';
import { WorkQueue } from './work-queue.js';

export interface MailEngineOptions {
  /** more lab host records (the SETD emulator's intake domains), besides exchange.lab */
  labHosts?: () => ReadonlyMap<string, Target>;
  /** where a file the appliance cannot use or write is reported besides mail_logs (default: stderr) */
  warn?: (text: string) => void;
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

/**
 * The appliance's mail system: listener, work queue, delivery queues (the.tdc.queue included),
 * the lab mail server, mail_logs and counters. It implements the live view operators use.
 */
export class MailEngine implements LiveAppliance {
  readonly log: MailLog;
  /** 'accepted' (mid, ms) when a message is answered 250; 'finished' (mid, kind, ms) when a queue record is done */
  readonly events = new EventEmitter();
  readonly #ids: IdAllocator;
  readonly #spool: Spool;
  readonly #counters: MailCounterSet;
  readonly #delivery: Delivery;
  readonly #workQueue: WorkQueue;
  readonly #startedAt: number;
  #listener: SMTPServer | null = null;
  #labServer: SMTPServer | null = null;
  #listenerAddress: AddressInfo | null = null;
  #labAddress: AddressInfo | null = null;
  #inbound = 0;
  readonly #pki;
  readonly #warn: (text: string) => void;

  /** A file the appliance could not use: a Warning in mail_logs, and a word to the operator. */
  #report(text: string): void {
    this.log.write('Warning', text);
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
    this.log = new MailLog(paths.mailLog, () => clock.now());
    // mail_logs cannot report its own trouble in itself
    this.log.warn = this.#warn;
    const report = (text: string) => this.#report(text);
    this.#spool = new Spool(paths.spool);
    this.#spool.onError = (error) => this.log.write('Warning', `Spool write failed: ${error.message}`);
    this.#ids = new IdAllocator(paths.state, { now: () => clock.now(), report, highestUsed: () => maxIds(this.#spool.highestIds(), highestLoggedIds(paths.logs)) });
    this.#counters = new MailCounterSet(paths.state, () => clock.now(), report);
    this.log.onWritten = () => this.#counters.save();
    this.#pki = ensureLabPki(paths.tls, ['localhost', LAB_MAIL_HOST], report, () => clock.now());
    const config = () => appliance.config.committed;
    this.#delivery = new Delivery({
      clock,
      log: this.log,
      ids: this.#ids,
      spool: this.#spool,
      counters: this.#counters,
      config,
      labHost: (host) => this.#labHost(host),
      ca: this.#pki.ca,
      onFinished: (record) => this.events.emit('finished', record.mid, record.kind, clock.now()),
    });
    this.#workQueue = new WorkQueue({
      spool: this.#spool,
      log: this.log,
      ids: this.#ids,
      delivery: this.#delivery,
      counters: this.#counters,
      config,
      now: () => clock.now(),
    });
  }

  async start(): Promise<void> {
    const config = this.appliance.config.committed;
    this.log.info(`Version: segsim AsyncOS emulation SN: SEGSIM0001`);
    this.#labServer = createLabMailServer(ensureDir(this.appliance.paths.mailboxes));
    this.#labAddress = await listen(this.#labServer, config.lab.mailServerPort, '127.0.0.1');
    this.#delivery.start();
    this.#recover();
    this.#listener = this.#createListener();
    // errors of one client connection (a failed TLS handshake, a reset) never stop the listener
    this.#listener.on('error', (error: Error) => this.log.write('Warning', `Listener connection error: ${error.message}`));
    this.#listenerAddress = await listen(this.#listener, config.listener.port, config.listener.bindAddress);
    this.#listenerOn = `${config.listener.bindAddress}:${config.listener.port}`;
    this.log.info(`Listener ${config.listener.name} started on ${this.#listenerAddress.address}:${this.#listenerAddress.port}`);
    this.#unsubscribe = this.appliance.config.onCommit((c) => void this.#applyListener(c.listener));
  }

  #unsubscribe: (() => void) | null = null;
  #listenerOn = '';

  /** A committed change of the listener's address or port takes effect at once. */
  async #applyListener(l: { bindAddress: string; port: number; name: string }): Promise<void> {
    const wanted = `${l.bindAddress}:${l.port}`;
    if (!this.#listener || wanted === this.#listenerOn) return;
    const old = this.#listener;
    try {
      const next = this.#createListener();
      next.on('error', (error: Error) => this.log.write('Warning', `Listener connection error: ${error.message}`));
      await new Promise<void>((r) => old.close(() => r()));
      this.#listenerAddress = await listen(next, l.port, l.bindAddress);
      this.#listener = next;
      this.#listenerOn = wanted;
      this.log.info(`Listener ${l.name} restarted on ${this.#listenerAddress.address}:${this.#listenerAddress.port}`);
    } catch (error) {
      this.log.write('Warning', `Listener ${l.name} could not listen on ${wanted}: ${(error as Error).message}`);
    }
  }

  async stop(): Promise<void> {
    this.#unsubscribe?.();
    await Promise.all([this.#listener, this.#labServer].map((s) => (s ? new Promise<void>((r) => s.close(() => r())) : undefined)));
    await this.#delivery.stop();
    await this.#workQueue.idle();
    await this.#spool.settle();
    this.log.flush();
    this.#counters.save();
    this.#counters.close();
  }

  listenerAddress(): { host: string; port: number } {
    const a = this.#listenerAddress;
    if (!a) return { host: this.appliance.config.committed.listener.bindAddress, port: this.appliance.config.committed.listener.port };
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
    const { received, queued, quarantined, requeued } = this.#spool.recover();
    for (const q of quarantined) this.#report(`MID ${q.mid} moved to the spool quarantine ${this.#spool.quarantineDir}, not delivered: ${q.problem}`);
    for (const r of requeued) this.log.write('Warning', `MID ${r.mid} goes through the work queue again: its ${r.problem}`);
    const byFile = new Map<string, QueueRecord[]>();
    for (const q of queued) byFile.set(q.file, [...(byFile.get(q.file) ?? []), q]);
    for (const [file, records] of byFile) void this.#delivery.enqueue(file, records, false);
    if (queued.length + received.length > 0) this.log.info(`Recovered ${queued.length} queued and ${received.length} received messages from the spool`);
    for (const r of received) this.#workQueue.add(r);
  }

  #createListener(): SMTPServer {
    const config = () => this.appliance.config.committed;
    const log = this.log;
    return createListener(() => config().listener, this.#pki, () => config().hostname, {
      connect: (remoteIp) => {
        const icid = this.#ids.next('icid');
        this.#inbound++;
        const l = config().listener;
        log.info(`New SMTP ICID ${icid} interface ${l.name} (${l.bindAddress}) address ${remoteIp} reverse dns host unknown verified no`);
        log.info(`ICID ${icid} ACCEPT SG None match ALL SBRS not enabled country not enabled`);
        return icid;
      },
      mailFrom: (icid, from) => {
        const mid = this.#ids.next('mid');
        log.info(`Start MID ${mid} ICID ${icid}`);
        log.info(`MID ${mid} ICID ${icid} From: <${from}>`);
        return mid;
      },
      rcptTo: (icid, mid, address, rid) => {
        if (!ratAccepts(config().listener, address)) {
          this.#counters.add('rejectedRecipients');
          log.info(`MID ${mid} ICID ${icid} To: <${address}> Rejected by RAT`);
          throw new SmtpReply(550, '#5.1.0 Address rejected');
        }
        log.info(`MID ${mid} ICID ${icid} RID ${rid} To: <${address}>`);
        return rid;
      },
      data: async (m) => {
        const record = { mid: m.mid, icid: m.icid, from: m.from, rcpts: m.rcpts, remoteIp: m.remoteIp, receivedAt: this.appliance.clock.now(), size: m.body.length, messageId: m.messageId, subject: m.subject };
        await this.#spool.saveReceived(record, m.body);
        if (m.messageId) log.info(`MID ${m.mid} Message-ID '${m.messageId}'`);
        log.info(`MID ${m.mid} Subject '${m.subject}'`);
        log.info(`MID ${m.mid} ready ${m.body.length} bytes from <${m.from}>`);
        this.#counters.add('messagesReceived');
        this.#counters.add('recipientsReceived', m.rcpts.length);
        this.#workQueue.add(record);
        // the 250 waits until its lines (and the counters) are in their files: a crash after it loses neither
        await log.written();
        this.events.emit('accepted', m.mid, this.appliance.clock.now());
      },
      tooBig: (icid, mid, size) => log.info(`MID ${mid} ICID ${icid} Message size ${size} exceeds the maximum of ${config().listener.maxMessageSize} bytes: rejected`),
      close: (icid) => {
        this.#inbound--;
        log.info(`ICID ${icid} close`);
      },
    });
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
        ramUtilization: Math.round((1 - freemem() / totalmem()) * 100),
        currentInboundConnections: this.#inbound,
        currentOutboundConnections: sum((h) => h.connectionsOut),
        activeRecipients: sum((h) => h.activeRecipients),
        unattemptedRecipients: sum((h) => h.unattemptedRecipients),
        attemptedRecipients: sum((h) => h.attemptedRecipients),
        messagesInWorkQueue: this.#workQueue.length,
        destinationsInMemory: hosts.length,
        kilobytesUsed: Math.round(process.memoryUsage().rss / 1024),
        kilobytesFree: Math.round(freemem() / 1024),
        workQueuePaused: this.#workQueue.paused,
      },
    };
  }

  resetCounters(): void {
    this.#counters.reset();
    this.#delivery.resetCounters();
    this.log.info('Counters reset');
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
