import type { Appliance } from './appliance.js';
import type { ApplianceStatus, MailCounters } from './appliance-status.js';
import { ErrorCodes, UserError } from '../errors.js';
import { ASYNCOS_VERSION } from '../version.js';

/** A counter of `/xml/status`: its name there, and its value since reset, since start and for the lifetime. */
export interface StatusCounter {
  name: string;
  reset: number;
  uptime: number;
  lifetime: number;
}

/** A rate of `/xml/status`: events per hour over the last 1, 5 and 15 minutes. */
export interface StatusRate {
  name: string;
  last1: number;
  last5: number;
  last15: number;
}

/**
 * The figures of the legacy `/xml/status` page, element for element, in its names and order
 * (ecosystem.md §4: the sample of 1player/ironport-prometheus-exporter, the XPaths of the Zabbix
 * template). Every figure is the running engine's, the same `status detail` prints (ApplianceStatus);
 * a figure the engine does not keep is null, and the page leaves its attribute empty.
 */
export interface StatusDocument {
  /** `phoebe 15.5.1-055`: AsyncOS's code name for the email appliance, then the release */
  build: string;
  hostname: string;
  now: number;
  upSince: number;
  lastCounterReset: number | null;
  /** `online`, or `online (work queue paused)` as `status` says `Online (work queue paused)` */
  systemStatus: string;
  /** seconds the oldest queued message has waited; its MID is not kept by the queues (null) */
  oldestMessage: { seconds: number; mid: number | null } | null;
  features: { name: string; timeRemaining: string }[];
  counters: StatusCounter[];
  currentIds: { messageId: number; injectionConnId: number; deliveryConnId: number };
  rates: StatusRate[];
  /** a gauge's value as the page writes it: a number, or a size with its K/M/G suffix */
  gauges: { name: string; current: string }[];
}

/** The feature keys `status` lists (all perpetual in the lab), by the names `/xml/status` gives them. */
export const STATUS_FEATURES = ['IronPort Anti-Spam', 'Sophos', 'Threat Defense Connector'] as const;

/** Completed Recipients as `status` counts them: hard bounced, delivered and deleted. */
export const completedOf = (c: MailCounters) => c.hardBouncedRecipients + c.deliveredRecipients + c.deletedRecipients;

/** The counters in the page's order, each with how it is read from the engine's (ApplianceStatus). */
const COUNTERS: [string, (c: MailCounters) => number][] = [
  ['inj_msgs', (c) => c.messagesReceived],
  ['inj_recips', (c) => c.recipientsReceived],
  ['gen_bounce_recips', (c) => c.generatedBounceRecipients],
  ['rejected_recips', (c) => c.rejectedRecipients],
  ['dropped_msgs', (c) => c.droppedMessages],
  ['soft_bounced_evts', (c) => c.softBouncedEvents],
  ['completed_recips', completedOf],
  ['hard_bounced_recips', (c) => c.hardBouncedRecipients],
  ['dns_hard_bounced_recips', (c) => c.dnsHardBounces],
  ['5xx_hard_bounced_recips', (c) => c.fiveXXHardBounces],
  ['filter_hard_bounced_recips', (c) => c.filterHardBounces],
  ['expired_hard_bounced_recips', (c) => c.expiredHardBounces],
  ['other_hard_bounced_recips', (c) => c.otherHardBounces],
  ['delivered_recips', (c) => c.deliveredRecipients],
  ['deleted_recips', (c) => c.deletedRecipients],
  // segsim has no global unsubscribe filter: 0, as `status` prints Global Unsub. Hits
  ['global_unsub_hits', () => 0],
];

type Rates = ApplianceStatus['rates'];
const RATES: [string, keyof Rates][] = [
  ['inj_msgs', 'messagesReceived'],
  ['inj_recips', 'recipientsReceived'],
  ['soft_bounced_evts', 'softBouncedEvents'],
  ['completed_recips', 'completedRecipients'],
  ['hard_bounced_recips', 'hardBouncedRecipients'],
  ['delivered_recips', 'deliveredRecipients'],
];

/**
 * A size as AsyncOS prints Logging Disk Available (`status`) and `log_available` (`/xml/status`):
 * whole gigabytes with `G`, below one gigabyte whole megabytes with `M`, below one megabyte `K`.
 */
export function sizeWithSuffix(bytes: number): string {
  const units: [string, number][] = [
    ['G', 1024 ** 3],
    ['M', 1024 ** 2],
    ['K', 1024],
  ];
  for (const [suffix, unit] of units) if (bytes >= unit) return `${Math.floor(bytes / unit)}${suffix}`;
  return String(Math.max(0, Math.floor(bytes)));
}

type Gauges = ApplianceStatus['gauges'];
const n = (get: (g: Gauges) => number) => (g: Gauges) => String(get(g));
/**
 * The gauges in the page's order. segsim's scanners run inside its one process (MGA, the page's
 * cpu_utilization): antivirus, CASE and Brightmail take no CPU of their own; it has no resource
 * conservation, no Policy, Virus and Outbreak quarantines and no reporting or quarantine
 * databases: those read 0, as in `status`.
 */
const GAUGES: [string, (g: Gauges) => string][] = [
  ['ram_utilization', n((g) => g.ramUtilization)],
  ['total_utilization', n((g) => g.cpuLoad)],
  ['cpu_utilization', n((g) => g.mgaCpu)],
  ['av_utilization', () => '0'],
  ['case_utilization', () => '0'],
  ['bm_utilization', () => '0'],
  ['disk_utilization', n((g) => g.diskIoUtilization)],
  ['resource_conservation', () => '0'],
  ['log_used', n((g) => g.loggingDiskUsage)],
  ['log_available', (g) => sizeWithSuffix(g.loggingDiskAvailable)],
  ['conn_in', n((g) => g.currentInboundConnections)],
  ['conn_out', n((g) => g.currentOutboundConnections)],
  ['active_recips', n((g) => g.activeRecipients)],
  ['unattempted_recips', n((g) => g.unattemptedRecipients)],
  ['attempted_recips', n((g) => g.attemptedRecipients)],
  ['msgs_in_work_queue', n((g) => g.messagesInWorkQueue)],
  ['dests_in_memory', n((g) => g.destinationsInMemory)],
  ['kbytes_used', n((g) => g.kilobytesUsed)],
  ['kbytes_free', n((g) => g.kilobytesFree)],
  ['msgs_in_policy_virus_outbreak_quarantine', () => '0'],
  ['kbytes_in_policy_virus_outbreak_quarantine', () => '0'],
  ['reporting_utilization', () => '0'],
  ['quarantine_utilization', () => '0'],
];

/** The `/xml/status` figures of one status reading (`status detail` prints the same reading). */
export function statusDocumentOf(s: ApplianceStatus, hostname: string): StatusDocument {
  const c = s.counters;
  return {
    build: `phoebe ${ASYNCOS_VERSION}`,
    hostname,
    now: s.now,
    upSince: s.upSince,
    lastCounterReset: s.lastCounterReset,
    systemStatus: s.gauges.workQueuePaused ? 'online (work queue paused)' : 'online',
    oldestMessage: s.oldestMessage === null ? null : { seconds: Math.max(0, Math.floor((s.now - s.oldestMessage) / 1000)), mid: null },
    features: STATUS_FEATURES.map((name) => ({ name, timeRemaining: 'Dormant/Perpetual' })),
    counters: COUNTERS.map(([name, get]) => ({ name, reset: get(c.reset), uptime: get(c.uptime), lifetime: get(c.lifetime) })),
    currentIds: { messageId: s.ids.mid, injectionConnId: s.ids.icid, deliveryConnId: s.ids.dcid },
    rates: RATES.map(([name, key]) => {
      const [last1, last5, last15] = s.rates[key];
      return { name, last1, last5, last15 };
    }),
    gauges: GAUGES.map(([name, get]) => ({ name, current: get(s.gauges) })),
  };
}

/** The running appliance's `/xml/status` figures; refused when the engine does not run in this process. */
export function statusDocument(appliance: Appliance): StatusDocument {
  const live = appliance.live;
  if (!live) throw new UserError('The mail system is not running: start the appliance to read its status.', ErrorCodes.unavailable);
  return statusDocumentOf(live.status(), appliance.configuration.current.hostname);
}
