import type { HostStatus } from '../../src/engine/host-status.js';

/** A destination with every counter zero unless given. */
export function host(name: string, values: Partial<HostStatus> = {}): HostStatus {
  return {
    host: name,
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
    hostDown: false,
    oldestMessage: null,
    lastActivity: null,
    routes: [],
    suspended: false,
    ...values,
  };
}
