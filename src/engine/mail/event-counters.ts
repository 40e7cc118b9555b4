import type { MailCounterSet } from './counters.js';
import type { BounceBucket } from './delivery/queue-policy.js';
import type { MailEvent } from './mail-events.js';

/** One delivery queue's counters, as tophosts and hoststatus show them. */
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

export const zeroStats = (): DestinationStats => ({ delivered: 0, softBounced: 0, hardBounced: 0, dns: 0, fiveXX: 0, expired: 0, other: 0, deleted: 0 });

const COUNTER_OF = {
  dns: 'dnsHardBounces',
  fiveXX: 'fiveXXHardBounces',
  other: 'otherHardBounces',
  expired: 'expiredHardBounces',
} as const;

/**
 * The counters as a reader of the mail events: the appliance's (MailCounterSet) and each
 * destination's. What an outcome counts is decided here only, from its event; the code that
 * delivers, bounces or drops mail only says what happened.
 *
 * It is on the hot path (every event of every message passes): one switch, and for a counted
 * event a map lookup and a few additions, with nothing allocated. An event's line waits in
 * mail_logs' buffer while the event is counted, and the counters are saved after the buffer is
 * written: the saved counters are those of the lines in the file.
 */
export class EventCounters {
  readonly #destinations = new Map<string, DestinationStats>();

  constructor(readonly counters: MailCounterSet) {}

  /** A destination's counters: the same object for the engine's life (a reset zeroes it in place). */
  destination(queue: string): DestinationStats {
    let stats = this.#destinations.get(queue);
    if (!stats) {
      stats = zeroStats();
      this.#destinations.set(queue, stats);
    }
    return stats;
  }

  reduce(e: MailEvent): void {
    const c = this.counters;
    switch (e.type) {
      case 'accepted':
        c.add('messagesReceived', 1, e.at);
        c.add('recipientsReceived', e.rcpts.length, e.at);
        return;
      case 'recipient.rejected':
        c.add('rejectedRecipients', 1, e.at);
        return;
      case 'dropped':
        c.add('droppedMessages', 1, e.at);
        return;
      case 'delivered':
        this.destination(e.queue).delivered += e.rids.length;
        c.add('deliveredRecipients', e.rids.length, e.at);
        return;
      case 'deferred':
        this.destination(e.queue).softBounced++;
        c.add('softBouncedEvents', 1, e.at);
        return;
      case 'bounced':
        this.#hardBounced(e.queue, e.rids.length, e.bucket, e.at);
        return;
      case 'expired':
        this.#hardBounced(e.queue, e.rids.length, 'expired', e.at);
        return;
      case 'deleted':
        this.destination(e.queue).deleted += e.rids.length;
        c.add('deletedRecipients', e.rids.length, e.at);
        return;
      case 'counters.reset':
        c.reset(e.at);
        for (const stats of this.#destinations.values()) Object.assign(stats, zeroStats());
        return;
      default:
    }
  }

  #hardBounced(queue: string, n: number, bucket: BounceBucket | 'expired', at: number): void {
    const stats = this.destination(queue);
    stats.hardBounced += n;
    stats[bucket] += n;
    this.counters.add('hardBouncedRecipients', n, at);
    this.counters.add(COUNTER_OF[bucket], n, at);
  }
}
