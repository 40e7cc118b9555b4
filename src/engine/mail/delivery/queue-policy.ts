import type { BounceProfile } from '../../config/model.js';
import { classOf, smtpCode, type Failure, type FailureClass } from './failure.js';

/** Milliseconds to wait for the TCP connection, the greeting, and any reply. */
export interface Timeouts {
  connect: number;
  greeting: number;
  socket: number;
}

/**
 * How one kind of delivery queue behaves: the retry table, the time a message may stay, how many
 * connections it keeps open, whether STARTTLS is required. the.tdc.queue and ordinary
 * destinations differ only by this data; `decide` reads it.
 */
export interface QueuePolicy {
  readonly name: string;
  /** retries per failure class; null: never retried (a permanent failure) */
  readonly retries: Readonly<Record<FailureClass, number | null>>;
  readonly maxQueueSeconds: number;
  /** the delay before retry n is initial * 2^(n-1) seconds, at most max */
  readonly retryDelay: { readonly initialSeconds: number; readonly maxSeconds: number };
  /** a temporary failure with no retry left: bounced as itself, or expired (the bounce profile's 5.4.7) */
  readonly exhausted: 'bounce' | 'expire';
  /** maxQueueSeconds is a hard deadline: waiting copies and attempts in flight are cut at it */
  readonly deadline: boolean;
  /** connections kept open while the queue has entries */
  readonly minConnections: number;
  readonly requireTls: boolean;
  readonly timeouts: Readonly<Timeouts>;
}

/** Where a hard bounce is counted (hoststatus's Hard Bounced breakdown). */
export type BounceBucket = 'dns' | 'fiveXX' | 'other';

export type Decision = { action: 'retry'; at: number } | { action: 'bounce'; bucket: BounceBucket } | { action: 'expire' };

/**
 * The Threat Defense Connector's retry mechanism, as the seed's table gives it. NXDomain is a DNS
 * error, but the seed's sample hard-bounces it at once (5.1.2 Bad destination host).
 */
export const TDC_POLICY: QueuePolicy = {
  name: 'the.tdc.queue',
  retries: {
    smtp5xx: null, // SMTP 5xx errors (except 503/552): no retry
    smtp4xx: 1, // SMTP 4xx errors: one retry
    smtp503or552: 1, // 503 and 552 count with the 4xx errors: one retry
    tls: null, // TLS errors: no retry
    connection: 1, // general network / connection errors: one retry
    dnsHard: null, // NXDomain: hard bounce at once, as in the seed's sample
    lost: null,
  },
  maxQueueSeconds: 120,
  // when the one retry happens is not given by the seed: well inside the 120 seconds
  retryDelay: { initialSeconds: 5, maxSeconds: 5 },
  exhausted: 'bounce',
  deadline: true,
  minConnections: 3,
  requireTls: true,
  timeouts: { connect: 60_000, greeting: 60_000, socket: 60_000 },
};

const profilePolicies = new WeakMap<BounceProfile, QueuePolicy>();

/** Ordinary destinations: temporary failures (4xx, network) retried per the bounce profile; 5xx (503/552 too) bounce. */
export function bounceProfilePolicy(profile: Readonly<BounceProfile>): QueuePolicy {
  let policy = profilePolicies.get(profile);
  if (!policy) {
    const temporary = profile.maxRetries;
    policy = {
      name: 'bounce profile',
      retries: { smtp5xx: null, smtp4xx: temporary, smtp503or552: null, tls: null, connection: temporary, dnsHard: null, lost: null },
      maxQueueSeconds: profile.maxTimeInQueueSeconds,
      retryDelay: { initialSeconds: profile.initialRetrySeconds, maxSeconds: profile.maxRetrySeconds },
      exhausted: 'expire',
      deadline: false,
      minConnections: 1,
      requireTls: false,
      timeouts: { connect: 30_000, greeting: 30_000, socket: 60_000 },
    };
    profilePolicies.set(profile, policy);
  }
  return policy;
}

/** What a message has behind it in its queue. */
export interface AttemptHistory {
  queuedAt: number;
  /** retries already granted */
  softBounces: number;
}

/**
 * When a message's time in its queue runs out (appliance time): the.tdc.queue's 120-second rule,
 * or the bounce profile's maximum time in queue. Every reader of that limit asks here.
 */
export function expiresAt(attempt: Pick<AttemptHistory, 'queuedAt'>, policy: QueuePolicy): number {
  return attempt.queuedAt + policy.maxQueueSeconds * 1000;
}

/** The retry decision after a failed attempt: pure, from the failure, the message's history, the policy and the time. */
export function decide(failure: Failure, attempt: AttemptHistory, policy: QueuePolicy, now: number): Decision {
  const tooOld = now >= expiresAt(attempt, policy);
  if (policy.deadline && tooOld) return { action: 'expire' };
  const retries = policy.retries[classOf(failure)];
  if (retries !== null) {
    if (attempt.softBounces < retries && !tooOld) {
      const n = attempt.softBounces + 1;
      const delay = Math.min(policy.retryDelay.maxSeconds, policy.retryDelay.initialSeconds * 2 ** (n - 1));
      return { action: 'retry', at: now + delay * 1000 };
    }
    if (policy.exhausted === 'expire') return { action: 'expire' };
  }
  return { action: 'bounce', bucket: failure.kind === 'dns' ? 'dns' : smtpCode(failure) >= 500 ? 'fiveXX' : 'other' };
}
