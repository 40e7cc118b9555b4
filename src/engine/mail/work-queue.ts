import { DEFAULT_POLICY, TDC_QUEUE, type ApplianceConfig, type MailPolicy } from '../config/model.js';
import { matchPolicy } from '../policy-match.js';
import type { MailCounterSet } from './counters.js';
import type { Delivery } from './delivery/delivery.js';
import type { IdAllocator } from './ids.js';
import type { MailLog } from './mail-log.js';
import { scan } from './scanning.js';
import type { QueueRecord, ReceivedRecord, Spool } from './spool.js';

const WORK_QUEUE_CONCURRENCY = 16;
const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1).toLowerCase();

/** The intake address a policy journals clean mail to, or null (TDC choice No, or TDC disabled). */
export function intakeFor(policy: MailPolicy, config: Readonly<ApplianceConfig>): string | null {
  if (policy.tdc.mode === 'custom') return policy.tdc.intakeAddress ?? null;
  if (policy.tdc.mode === 'default' && config.tdc.enabled) return config.tdc.intakeAddress;
  return null;
}

/**
 * The work queue: per-recipient policy match (splitting the message by policy), the scanning
 * engines, the journal decision, then the delivery queues. Each stage's verdict is logged as
 * AsyncOS logs it.
 */
export class WorkQueue {
  #paused = false;
  readonly #waiting: ReceivedRecord[] = [];
  /** messages being processed at once: their disk writes overlap */
  readonly #inProgress = new Set<Promise<void>>();

  constructor(
    private readonly deps: {
      spool: Spool;
      log: MailLog;
      ids: IdAllocator;
      delivery: Delivery;
      counters: MailCounterSet;
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
    this.deps.log.info(`work queue paused, ${this.#waiting.length} msgs, ${reason}`);
  }

  resume(): void {
    this.#paused = false;
    this.deps.log.info(`work queue resumed, ${this.#waiting.length} msgs`);
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
        .catch((error: Error) => this.deps.log.write('Warning', `MID ${record.mid} work queue error: ${error.message}; it stays in the spool for the next start`))
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
    const { spool, log, ids } = this.deps;
    const config = this.deps.config();
    const defaultPolicy = config.incomingPolicies.find((p) => p.name === DEFAULT_POLICY)!;
    const byPolicy = new Map<string, ReceivedRecord['rcpts']>();
    for (const r of record.rcpts) {
      const name = matchPolicy(config.incomingPolicies, { sender: record.from, recipient: r.address }).name;
      byPolicy.set(name, [...(byPolicy.get(name) ?? []), r]);
    }
    const groups = [...byPolicy].map(([policy, rcpts], i) => ({ mid: i === 0 ? record.mid : ids.next('mid'), policy, rcpts }));
    for (const g of groups.slice(1)) log.info(`MID ${record.mid} was split creating MID ${g.mid} due to a per-recipient policy ${g.policy} in the inbound table`);
    for (const g of groups) log.info(`MID ${g.mid} matched all recipients for per-recipient policy ${g.policy} in the inbound table`);
    const file = `${record.mid}.eml`;
    const body = spool.readMessage(file);
    const remoteIpHeader = `X-IronPort-RemoteIP: ${record.remoteIp}`;
    const queued: QueueRecord[] = [];
    for (const g of groups) {
      const policy = config.incomingPolicies.find((p) => p.name === g.policy) ?? defaultPolicy;
      const verdict = scan(body, policy, defaultPolicy);
      for (const line of verdict.lines) log.info(`MID ${g.mid} ${line}`);
      if (verdict.virus) {
        log.info(`Message aborted MID ${g.mid} Dropped by antivirus`);
        log.info(`Message finished MID ${g.mid} aborted`);
        this.deps.counters.add('droppedMessages');
        continue;
      }
      const base: Omit<QueueRecord, 'destination' | 'rcpts'> = {
        mid: g.mid,
        file,
        kind: 'original',
        from: record.from,
        messageId: record.messageId,
        subject: verdict.spam ? `[SPAM] ${record.subject}` : record.subject,
        addHeaders: [remoteIpHeader],
        subjectPrefix: verdict.spam ? '[SPAM] ' : '',
        size: record.size,
        queuedAt: this.deps.now(),
        attempts: 0,
        softBounces: 0,
        nextAttemptAt: 0,
      };
      const byDomain = new Map<string, ReceivedRecord['rcpts']>();
      for (const r of g.rcpts) byDomain.set(domainOf(r.address), [...(byDomain.get(domainOf(r.address)) ?? []), r]);
      for (const [destination, rcpts] of byDomain) queued.push({ ...base, destination, rcpts });
      const intake = verdict.spam ? null : intakeFor(policy, config);
      if (intake !== null) {
        const journalMid = ids.next('mid');
        // the copy shares the original's spool file: it is built from it when it is sent
        queued.push({
          ...base,
          mid: journalMid,
          kind: 'journal',
          destination: TDC_QUEUE,
          from: `tdc@${config.hostname}`,
          rcpts: [{ rid: 0, address: intake }],
          journal: { originalMid: g.mid, hostname: config.hostname, subject: record.subject, messageId: record.messageId },
        });
        log.info(`TDC: MID ${journalMid} with Message-ID '${record.messageId}' enqueued for forwarding to Cisco Secure Email Threat Defense to the message intake address ${intake}`);
      }
      log.info(`MID ${g.mid} queued for delivery`);
    }
    // every part was dropped (viruses): nothing holds the message any more
    if (queued.length === 0) await spool.removeMessage(file);
    else await this.deps.delivery.enqueue(file, queued);
  }
}
