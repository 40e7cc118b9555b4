/** What the appliance knows about one delivery destination (a domain, or the.tdc.queue). */
export interface HostStatus {
  host: string;
  activeRecipients: number;
  unattemptedRecipients: number;
  attemptedRecipients: number;
  connectionsOut: number;
  pendingConnections: number;
  deliveredRecipients: number;
  softBouncedEvents: number;
  hardBouncedRecipients: number;
  hardBounces: { dns: number; fiveXX: number; filter: number; expired: number; other: number };
  deletedRecipients: number;
  /** null when no delivery was attempted yet */
  hostDown: boolean | null;
  oldestMessage: number | null;
  lastActivity: number | null;
  /** destinations from smtproutes, or the resolved address */
  routes: string[];
  suspended: boolean;
}

/** A destination with nothing queued, delivered or bounced yet, and no delivery attempted. */
export function idleHostStatus(host: string): HostStatus {
  return {
    host,
    activeRecipients: 0,
    unattemptedRecipients: 0,
    attemptedRecipients: 0,
    connectionsOut: 0,
    pendingConnections: 0,
    deliveredRecipients: 0,
    softBouncedEvents: 0,
    hardBouncedRecipients: 0,
    hardBounces: { dns: 0, fiveXX: 0, filter: 0, expired: 0, other: 0 },
    deletedRecipients: 0,
    hostDown: null,
    oldestMessage: null,
    lastActivity: null,
    routes: [],
    suspended: false,
  };
}

export function completedRecipients(h: HostStatus): number {
  return h.deliveredRecipients + h.hardBouncedRecipients + h.deletedRecipients;
}
