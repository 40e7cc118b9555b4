import { TDC_QUEUE, type ApplianceConfig, type MailPolicy } from '../config/model.js';
import { defaultPolicyOf, inherited, matchPolicy } from '../policy-match.js';
import type { Delivery } from './delivery/delivery.js';
import type { IdAllocator } from './ids.js';
import type { MailEvents } from './mail-events.js';
import { inspect, scan } from './scanning.js';
import { queueRecord, type QueueRecord, type ReceivedRecord, type Spool } from './spool.js';

const WORK_QUEUE_CONCURRENCY = 16;
const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1).toLowerCase();

/**
 * The intake address a policy journals clean mail to, or null (TDC choice No, or Use Global
 * Settings while TDC is disabled globally); "(use default)" follows DEFAULT's choice as it is now.
 */
export function intakeFor(policy: MailPolicy, defaultPolicy: MailPolicy, config: Readonly<ApplianceConfig>): string | null {
  const tdc = inherited(policy, defaultPolicy, 'tdc');
  if (tdc.mode === 'custom') return tdc.intakeAddress ?? null;
  if (tdc.mode === 'global' && config.tdc.enabled) return config.tdc.intakeAddress;
  return null;
}

/**
 * The work queue: per-recipient policy match (splitting the message by policy), the scanning
 * engines, the journal decision, then the delivery queues. Each stage tells its verdict as a mail
 * event.
 */
export class WorkQueue {
  #paused = false;
  readonly #waiting: ReceivedRecord[] = [];
  /** messages being processed at once: their disk writes overlap */
  readonly #inProgress = new Set<Promise<void>>();

  constructor(
    private readonly deps: {
      spool: Spool;
      events: MailEvents;
      ids: IdAllocator;
      delivery: Delivery;
      config: () => Readonly<ApplianceConfig>;
      now: () => number;
    },
  ) {}

  get paused(): boolean {
    return this.#paused;
  }

  get length(): number {
    return this.#waiting.length + this.#inProgress.size;
  }

  pause(reason: string): void {
    this.#paused = true;
    this.deps.events.emit({ type: 'workQueue.paused', messages: this.#waiting.length, reason });
  }

  resume(): void {
    this.#paused = false;
    this.deps.events.emit({ type: 'workQueue.resumed', messages: this.#waiting.length });
    this.#drain();
  }

  add(record: ReceivedRecord): void {
    this.#waiting.push(record);
    this.#drain();
  }

  #drain(): void {
    while (!this.#paused && this.#waiting.length > 0 && this.#inProgress.size < WORK_QUEUE_CONCURRENCY) {
      const record = this.#waiting.shift()!;
      const work = this.#process(record)
        .catch((error: Error) => this.deps.events.emit({ type: 'workQueue.error', mid: record.mid, detail: error.message }))
        .finally(() => {
          this.#inProgress.delete(work);
          this.#drain();
        });
      this.#inProgress.add(work);
    }
  }

  /** Resolves when no message is being processed (at stop). */
  async idle(): Promise<void> {
    while (this.#inProgress.size > 0) await Promise.all([...this.#inProgress]);
  }

  async #process(record: ReceivedRecord): Promise<void> {
    const { spool, events, ids } = this.deps;
    const config = this.deps.config();
    const defaultPolicy = defaultPolicyOf(config.incomingPolicies);
    const byPolicy = new Map<string, ReceivedRecord['rcpts']>();
    for (const r of record.rcpts) {
      const name = matchPolicy(config.incomingPolicies, { sender: record.from, recipient: r.address }).name;
      byPolicy.set(name, [...(byPolicy.get(name) ?? []), r]);
    }
    const groups = [...byPolicy].map(([policy, rcpts], i) => ({ mid: i === 0 ? record.mid : ids.next('mid'), policy, rcpts }));
    for (const g of groups.slice(1)) events.emit({ type: 'split', mid: record.mid, newMid: g.mid, policy: g.policy, rids: g.rcpts.map((r) => r.rid) });
    for (const g of groups) events.emit({ type: 'policy.matched', mid: g.mid, policy: g.policy });
    const file = `${record.mid}.eml`;
    const body = spool.readMessage(file);
    const remoteIpHeader = `X-IronPort-RemoteIP: ${record.remoteIp}`;
    const queued: QueueRecord[] = [];
    const content = await inspect(body);
    for (const g of groups) {
      const policy = config.incomingPolicies.find((p) => p.name === g.policy) ?? defaultPolicy;
      const verdict = scan(content, policy, defaultPolicy);
      events.emit({ type: 'scanned', mid: g.mid, ...verdict });
      const spam = verdict.antispam === true;
      if (verdict.antivirus === true) {
        events.emit({ type: 'dropped', mid: g.mid, by: 'antivirus' });
        events.emit({ type: 'finished', mid: g.mid, kind: 'original', how: 'aborted' });
        continue;
      }
      const base: Omit<QueueRecord, 'destination' | 'rcpts'> = {
        mid: g.mid,
        file,
        kind: 'original',
        from: record.from,
        messageId: record.messageId,
        subject: spam ? `[SPAM] ${record.subject}` : record.subject,
        addHeaders: [remoteIpHeader],
        subjectPrefix: spam ? '[SPAM] ' : '',
        size: record.size,
        queuedAt: this.deps.now(),
        attempts: 0,
        softBounces: 0,
        nextAttemptAt: 0,
      };
      const byDomain = new Map<string, ReceivedRecord['rcpts']>();
      for (const r of g.rcpts) byDomain.set(domainOf(r.address), [...(byDomain.get(domainOf(r.address)) ?? []), r]);
      for (const [destination, rcpts] of byDomain) queued.push(queueRecord({ ...base, destination, rcpts }));
      const intake = spam ? null : intakeFor(policy, defaultPolicy, config);
      if (intake !== null) {
        const journalMid = ids.next('mid');
        // the copy shares the original's spool file: it is built from it when it is sent
        queued.push(
          queueRecord({
            ...base,
            mid: journalMid,
            kind: 'journal',
            destination: TDC_QUEUE,
            from: `tdc@${config.hostname}`,
            rcpts: [{ rid: 0, address: intake }],
            journal: { originalMid: g.mid, hostname: config.hostname, subject: record.subject, messageId: record.messageId },
          }),
        );
        events.emit({ type: 'journal.enqueued', mid: journalMid, originalMid: g.mid, messageId: record.messageId, intake });
      }
      events.emit({ type: 'queued', mid: g.mid });
    }
    // every part was dropped (viruses): nothing holds the message any more
    if (queued.length === 0) await spool.removeMessage(file);
    else this.deps.delivery.enqueue(file, queued);
  }
}
