import { ZERO_COUNTERS, type ApplianceStatus } from '../../src/engine/appliance-status.js';
import { idleHostStatus, type HostStatus } from '../../src/engine/host-status.js';
import type { LiveAppliance, QueuedRecipient, RecipientFilter } from '../../src/engine/live.js';
/** A destination with every counter zero unless given. */
export function host(name: string, values: Partial<HostStatus> = {}): HostStatus {
  return { ...idleHostStatus(name), hostDown: false, ...values };
}

/** An in-memory LiveAppliance that records the operations it is asked for. */
export function fakeLive(hosts: HostStatus[], queued: QueuedRecipient[] = [], now = Date.UTC(2024, 1, 16, 21, 19, 24)) {
  const calls: string[] = [];
  const matches = (r: QueuedRecipient, f: RecipientFilter) =>
    'all' in f ? true : 'host' in f ? r.host === f.host : f.caseSensitive ? r.sender === f.sender : r.sender.toLowerCase() === f.sender.toLowerCase();
  let paused = false;
  const status = (): ApplianceStatus => ({
    now,
    upSince: now - 93_784_000,
    lastCounterReset: null,
    oldestMessage: now - 42_000,
    quarantinedMessages: 0,
    counters: {
      reset: { ...ZERO_COUNTERS, messagesReceived: 1200, recipientsReceived: 1500, deliveredRecipients: 1490, softBouncedEvents: 3, hardBouncedRecipients: 2, dnsHardBounces: 1, fiveXXHardBounces: 1 },
      uptime: { ...ZERO_COUNTERS, messagesReceived: 120_000, recipientsReceived: 150_000, deliveredRecipients: 149_900 },
      lifetime: { ...ZERO_COUNTERS, messagesReceived: 1_234_567, recipientsReceived: 1_500_000, deliveredRecipients: 1_499_000 },
    },
    ids: { mid: 14_501_404, icid: 3_160, dcid: 4_566_150 },
    rates: {
      messagesReceived: [6000, 1200, 400],
      recipientsReceived: [6000, 1200, 400],
      softBouncedEvents: [0, 0, 0],
      completedRecipients: [5940, 1188, 396],
      hardBouncedRecipients: [60, 12, 4],
      deliveredRecipients: [5880, 1176, 392],
    },
    gauges: {
      ramUtilization: 7,
      cpuLoad: 3,
      mgaCpu: 1,
      diskIoUtilization: 2,
      loggingDiskUsage: 12,
      loggingDiskAvailable: 41 * 1024 ** 3,
      currentInboundConnections: 2,
      currentOutboundConnections: 3,
      activeRecipients: 12,
      unattemptedRecipients: 10,
      attemptedRecipients: 2,
      messagesInWorkQueue: 0,
      destinationsInMemory: 3,
      kilobytesUsed: 1_024,
      kilobytesFree: 8_387_584,
      workQueuePaused: paused,
    },
  });
  const live: LiveAppliance = {
    listenerAddress: () => ({ host: '127.0.0.1', port: 2525 }),
    hosts: () => hosts,
    status,
    resetCounters: () => void calls.push('resetCounters'),
    workQueue: () => ({ paused, messages: 5 }),
    pauseWorkQueue: (reason) => {
      paused = true;
      calls.push(`pause:${reason}`);
    },
    resumeWorkQueue: () => {
      paused = false;
      calls.push('resume');
    },
    queuedRecipients: (f) => queued.filter((r) => matches(r, f)),
    deleteRecipients: (f) => {
      const n = queued.filter((r) => matches(r, f)).length;
      calls.push(`delete:${JSON.stringify(f)}`);
      return n;
    },
    deliverNow: (h) => void calls.push(`deliverNow:${h ?? 'ALL'}`),
    suspendDelivery: (h) => void calls.push(`suspend:${String(h)}`),
    resumeDelivery: (h) => void calls.push(`resume:${String(h)}`),
    redirectAll: (h) => void calls.push(`redirect:${h}`),
  };
  return { live, calls };
}
