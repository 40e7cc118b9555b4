import type { ApplianceStatus } from './appliance-status.js';
import type { HostStatus } from './host-status.js';
import type { MessageTracking } from './message-tracking.js';

/** A recipient waiting in a delivery queue, as `showrecipients` lists it. */
export interface QueuedRecipient {
  mid: number;
  rid: number;
  host: string;
  sender: string;
  recipient: string;
  subject: string;
  size: number;
  attempts: number;
  queuedAt: number;
}

/** Which queued recipients an operation applies to: all, those of one host, or of one sender. */
export type RecipientFilter = { all: true } | { host: string } | { sender: string; caseSensitive: boolean };

/**
 * The live parts of a running appliance, as operator commands see them. Present on the
 * Appliance only while it runs in this process (the shell's embedded one, or `segsim start`).
 */
export interface LiveAppliance {
  /** where the listener actually listens (its port may have been 0 in the configuration) */
  listenerAddress(): { host: string; port: number };
  /** every destination with counters, the.tdc.queue included */
  hosts(): HostStatus[];
  status(): ApplianceStatus;
  resetCounters(): void;
  workQueue(): { paused: boolean; messages: number };
  pauseWorkQueue(reason: string): void;
  resumeWorkQueue(): void;
  queuedRecipients(filter: RecipientFilter): QueuedRecipient[];
  /** removes recipients from the queues (logged); returns how many */
  deleteRecipients(filter: RecipientFilter): number;
  /** retries now whatever waits for `host` (all hosts when undefined) */
  deliverNow(host?: string): void;
  suspendDelivery(hosts: string[] | 'ALL'): void;
  resumeDelivery(hosts: string[] | 'ALL'): void;
  /** sends all mail to one host from now on (an empty string ends redirection) */
  redirectAll(host: string): void;
  /** message tracking, indexed as events are recorded (absent: read the home's store) */
  readonly tracking?: MessageTracking;
}
