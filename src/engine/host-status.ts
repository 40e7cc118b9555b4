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

export function completedRecipients(h: HostStatus): number {
  return h.deliveredRecipients + h.hardBouncedRecipients + h.deletedRecipients;
}
