import type { HatBehavior } from '../host-access.js';
import type { Failure, TlsCause } from './delivery/failure.js';
import type { BounceBucket } from './delivery/queue-policy.js';

type Rcpt = { rid: number; address: string };

/**
 * What happens to mail, as typed events. The engine emits them; mail_logs (mail-log-lines.ts),
 * the counters (event-counters.ts), message tracking (tracking-store.ts), `lab check` and the
 * benchmark read them. No event carries log wording: that lives in one module, mail-log-lines.ts.
 */
export type MailEventBody =
  // inbound connections and the SMTP transaction
  /**
   * `interfaceName` is the IP interface's (Management), `bindAddress` the local address the
   * connection came to; `access` the Host Access Table's behaviour for the host, `match` the row
   * that decided it (absent in tracking written before the HAT: every host was accepted by ALL)
   */
  | { type: 'icid.opened'; icid: number; interfaceName: string; bindAddress: string; remoteIp: string; access?: HatBehavior; match?: string }
  | { type: 'icid.tls'; icid: number; protocol: string; cipher: string }
  | { type: 'icid.closed'; icid: number }
  | { type: 'message.started'; mid: number; icid: number; from: string }
  | { type: 'recipient.accepted'; mid: number; icid: number; rid: number; address: string }
  | { type: 'recipient.rejected'; mid: number; icid: number; address: string }
  | { type: 'message.tooBig'; mid: number; icid: number; size: number; limit: number }
  /** a transaction that ended without a message accepted (recipients all refused, reset, disconnected, DATA refused) */
  | { type: 'receiving.aborted'; mid: number; icid: number }
  /** answered 250: the message is on disk */
  | { type: 'accepted'; mid: number; icid: number; from: string; rcpts: Rcpt[]; messageId: string; subject: string; size: number }
  // the work queue
  /** `rids`: the recipients the new part takes from the message (absent in tracking written before them) */
  | { type: 'split'; mid: number; newMid: number; policy: string; rids?: number[] }
  | { type: 'policy.matched'; mid: number; policy: string }
  /** per engine: null when it did not run, else whether it found something */
  | { type: 'scanned'; mid: number; antivirus: boolean | null; antispam: boolean | null; attachment: boolean }
  | { type: 'dropped'; mid: number; by: 'antivirus' }
  | { type: 'journal.enqueued'; mid: number; originalMid: number; messageId: string; intake: string }
  | { type: 'queued'; mid: number }
  // delivery
  | { type: 'dcid.opened'; dcid: number; queue: string; localAddress: string; address: string; port: number }
  | { type: 'dcid.failed'; dcid: number; mid: number; queue: string; address: string; port: number; failure: Failure }
  | { type: 'tls.ok'; dcid: number; protocol: string; cipher: string }
  | { type: 'tls.failed'; dcid: number; mid: number; address: string; cause: TlsCause }
  | { type: 'delivery.started'; dcid: number; mid: number; queue: string; rids: number[] }
  | { type: 'delivered'; dcid: number; mid: number; queue: string; rids: number[]; response: string }
  | { type: 'deferred'; dcid: number; mid: number; queue: string; rids: number[]; failure: Failure; retryAt: number }
  | { type: 'bounced'; dcid: number; mid: number; queue: string; rids: number[]; failure: Failure; bucket: BounceBucket }
  /** out of time: `seconds` in the queue, the last failure if an attempt failed */
  | { type: 'expired'; dcid: number; mid: number; queue: string; rids: number[]; failure: Failure | null; seconds: number }
  | { type: 'deleted'; mid: number; queue: string; rids: number[] }
  | { type: 'finished'; mid: number; kind: 'original' | 'journal'; how: 'done' | 'aborted' }
  | { type: 'dcid.closed'; dcid: number }
  // the appliance and its operators (no message)
  /** the first lines of a start: the release and this home's serial number */
  | { type: 'system.version'; version: string; serial: string }
  | { type: 'system.comingUp' }
  | { type: 'listener.started'; name: string }
  | { type: 'listener.connectionError'; detail: string }
  | { type: 'spool.writeFailed'; detail: string }
  | { type: 'spool.recovered'; queued: number; received: number }
  /** an acknowledged message that cannot be read whole, moved aside (never deleted) */
  | { type: 'spool.quarantined'; mid: number; dir: string; problem: string }
  /** a message whose queue file was torn goes through the work queue again */
  | { type: 'spool.requeued'; mid: number; problem: string }
  /** a file of the appliance's own was bad and was repaired or set aside; the text names it */
  | { type: 'appliance.warning'; text: string }
  | { type: 'workQueue.paused'; messages: number; reason: string }
  | { type: 'workQueue.resumed'; messages: number }
  | { type: 'workQueue.error'; mid: number; detail: string }
  | { type: 'counters.reset' }
  | { type: 'queue.kicked'; queue: string }
  | { type: 'queue.suspended'; queue: string }
  | { type: 'queue.resumed'; queue: string }
  | { type: 'queue.redirected'; host: string | null };

/** An event with the appliance time it happened at. */
export type MailEvent = MailEventBody & { at: number };

/**
 * The bus. Listeners run synchronously, in order, on the emitting call: cheap enough for the hot
 * path, and a reader sees events in the order they happened.
 */
export class MailEvents {
  readonly #listeners: ((event: MailEvent) => void)[] = [];

  constructor(private readonly now: () => number) {}

  /** Subscribes; returns the unsubscribe function. */
  on(listener: (event: MailEvent) => void): () => void {
    this.#listeners.push(listener);
    return () => {
      const i = this.#listeners.indexOf(listener);
      if (i >= 0) this.#listeners.splice(i, 1);
    };
  }

  /**
   * `body` becomes the event: every caller passes a fresh object literal, so its time is added
   * to it rather than to a copy. A spread here, where every kind of event passes, is a megamorphic
   * object clone: the event path of a relayed message cost 46.6 µs with it, 38.9 µs without
   * (test/bench/event-path.mjs).
   */
  emit(body: MailEventBody): void {
    const event = body as MailEvent;
    event.at = this.now();
    for (const l of this.#listeners) l(event);
  }
}
