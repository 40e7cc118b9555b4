import type { SystemGauges } from './system-gauges.js';

/** The counters `status` shows, each kept since reset, since start (uptime) and for the lifetime. */
export interface MailCounters {
  messagesReceived: number;
  recipientsReceived: number;
  generatedBounceRecipients: number;
  rejectedRecipients: number;
  droppedMessages: number;
  softBouncedEvents: number;
  hardBouncedRecipients: number;
  dnsHardBounces: number;
  fiveXXHardBounces: number;
  expiredHardBounces: number;
  filterHardBounces: number;
  otherHardBounces: number;
  deliveredRecipients: number;
  deletedRecipients: number;
}

export const ZERO_COUNTERS: MailCounters = {
  messagesReceived: 0,
  recipientsReceived: 0,
  generatedBounceRecipients: 0,
  rejectedRecipients: 0,
  droppedMessages: 0,
  softBouncedEvents: 0,
  hardBouncedRecipients: 0,
  dnsHardBounces: 0,
  fiveXXHardBounces: 0,
  expiredHardBounces: 0,
  filterHardBounces: 0,
  otherHardBounces: 0,
  deliveredRecipients: 0,
  deletedRecipients: 0,
};

export interface ApplianceStatus {
  now: number;
  upSince: number;
  lastCounterReset: number | null;
  oldestMessage: number | null;
  /** messages in spool/quarantine: acknowledged, but their spool files could not be read whole */
  quarantinedMessages: number;
  counters: { reset: MailCounters; uptime: MailCounters; lifetime: MailCounters };
  /** the last IDs issued */
  ids: { mid: number; icid: number; dcid: number };
  /** events per hour extrapolated from the last 1, 5 and 15 minutes */
  rates: Record<'messagesReceived' | 'recipientsReceived' | 'softBouncedEvents' | 'completedRecipients' | 'hardBouncedRecipients' | 'deliveredRecipients', [number, number, number]>;
  gauges: SystemGauges & {
    currentInboundConnections: number;
    currentOutboundConnections: number;
    activeRecipients: number;
    unattemptedRecipients: number;
    attemptedRecipients: number;
    messagesInWorkQueue: number;
    destinationsInMemory: number;
    /** kilobytes the queued mail takes in the spool */
    kilobytesUsed: number;
    workQueuePaused: boolean;
  };
}
