import type { ApplianceStatus, MailCounters } from '../../engine/appliance-status.js';
import { elapsedText, zonedDate } from '../../engine/time-format.js';
import { count } from './numbers.js';

/** A group of rows under a heading (`Receiving`, `Queue` ...); a row's depth indents it within the group. */
interface Group<T> {
  heading: string;
  /** a row's cell, or cells (a rate has three); '' for a row that only heads the one under it */
  rows: { label: string; depth?: number; value: (x: T) => string | string[] }[];
}

const n = (get: (c: MailCounters) => number) => (c: MailCounters) => count(get(c));

/** The counters, in the appliance's groups (asyncos-cli.md §2.3, §10.4). */
const COUNTER_GROUPS: Group<MailCounters>[] = [
  {
    heading: 'Receiving',
    rows: [
      { label: 'Messages Received', value: n((c) => c.messagesReceived) },
      { label: 'Recipients Received', value: n((c) => c.recipientsReceived) },
      { label: 'Gen. Bounce Recipients', value: n((c) => c.generatedBounceRecipients) },
    ],
  },
  {
    heading: 'Rejection',
    rows: [
      { label: 'Rejected Recipients', value: n((c) => c.rejectedRecipients) },
      { label: 'Dropped Messages', value: n((c) => c.droppedMessages) },
    ],
  },
  { heading: 'Queue', rows: [{ label: 'Soft Bounced Events', value: n((c) => c.softBouncedEvents) }] },
  {
    heading: 'Completion',
    rows: [
      { label: 'Completed Recipients', value: n((c) => c.hardBouncedRecipients + c.deliveredRecipients + c.deletedRecipients) },
      { label: 'Hard Bounced Recipients', depth: 1, value: n((c) => c.hardBouncedRecipients) },
      { label: 'DNS Hard Bounces', depth: 2, value: n((c) => c.dnsHardBounces) },
      { label: '5XX Hard Bounces', depth: 2, value: n((c) => c.fiveXXHardBounces) },
      { label: 'Expired Hard Bounces', depth: 2, value: n((c) => c.expiredHardBounces) },
      { label: 'Filter Hard Bounces', depth: 2, value: n((c) => c.filterHardBounces) },
      { label: 'Other Hard Bounces', depth: 2, value: n((c) => c.otherHardBounces) },
      { label: 'Delivered Recipients', depth: 1, value: n((c) => c.deliveredRecipients) },
      { label: 'Deleted Recipients', depth: 1, value: n((c) => c.deletedRecipients) },
      // segsim has no global unsubscribe filter and signs no mail: these stay at zero, as on an appliance without them
      { label: 'Global Unsub. Hits', depth: 2, value: () => '0' },
    ],
  },
  { heading: 'Domain Key', rows: [{ label: 'DomainKeys Signed Msgs', value: () => '0' }] },
];

type Rates = ApplianceStatus['rates'];
const RATE_GROUPS: Group<Rates>[] = [
  {
    heading: 'Receiving',
    rows: [
      { label: 'Messages Received', value: (r) => r.messagesReceived.map(count) },
      { label: 'Recipients Received', value: (r) => r.recipientsReceived.map(count) },
    ],
  },
  { heading: 'Queue', rows: [{ label: 'Soft Bounced Events', value: (r) => r.softBouncedEvents.map(count) }] },
  {
    heading: 'Completion',
    rows: [
      { label: 'Completed Recipients', value: (r) => r.completedRecipients.map(count) },
      { label: 'Hard Bounced Recipients', depth: 1, value: (r) => r.hardBouncedRecipients.map(count) },
      { label: 'Delivered Recipients', depth: 1, value: (r) => r.deliveredRecipients.map(count) },
    ],
  },
];

type Gauges = ApplianceStatus['gauges'];
const pct = (get: (g: Gauges) => number) => (g: Gauges) => `${get(g)}%`;
const num = (get: (g: Gauges) => number) => (g: Gauges) => count(get(g));

/** Free space as the appliance prints Logging Disk Available: whole gigabytes (megabytes below one). */
function size(bytes: number): string {
  const gb = bytes / 1024 ** 3;
  return gb >= 1 ? `${Math.floor(gb)}G` : `${Math.floor(bytes / 1024 ** 2)}M`;
}

/**
 * The gauges, grouped System / Connections / Queue. segsim's scanners run inside its one process
 * (MGA), so CASE, Brightmail and AntiVirus take no CPU of their own; it has no resource
 * conservation mode and no Policy, Virus and Outbreak quarantines: those read 0.
 */
const GAUGE_GROUPS: Group<Gauges>[] = [
  {
    heading: 'System',
    rows: [
      { label: 'RAM Utilization', value: pct((g) => g.ramUtilization) },
      { label: 'Overall CPU load average', value: pct((g) => g.cpuLoad) },
      { label: 'MGA', depth: 1, value: pct((g) => g.mgaCpu) },
      { label: 'CASE', depth: 1, value: () => '0%' },
      { label: 'Brightmail AntiSpam', depth: 1, value: () => '0%' },
      { label: 'AntiVirus', depth: 1, value: () => '0%' },
      { label: 'Disk I/O Utilization', value: pct((g) => g.diskIoUtilization) },
      { label: 'Resource Conservation', value: () => '0' },
      { label: 'Logging Disk Usage', value: pct((g) => g.loggingDiskUsage) },
      { label: 'Logging Disk Available', value: (g) => size(g.loggingDiskAvailable) },
    ],
  },
  {
    heading: 'Connections',
    rows: [
      { label: 'Current Inbound Conn.', value: num((g) => g.currentInboundConnections) },
      { label: 'Current Outbound Conn.', value: num((g) => g.currentOutboundConnections) },
    ],
  },
  {
    heading: 'Queue',
    rows: [
      { label: 'Active Recipients', value: num((g) => g.activeRecipients) },
      { label: 'Unattempted Recipients', depth: 1, value: num((g) => g.unattemptedRecipients) },
      { label: 'Attempted Recipients', depth: 1, value: num((g) => g.attemptedRecipients) },
      { label: 'Messages In Work Queue', value: num((g) => g.messagesInWorkQueue) },
      { label: 'Messages In Quarantine', value: () => '' },
      { label: 'Policy, Virus and Outbreak', depth: 1, value: () => '0' },
      { label: 'Destinations In Memory', value: num((g) => g.destinationsInMemory) },
      { label: 'Kilobytes Used', value: num((g) => g.kilobytesUsed) },
      { label: 'Kilobytes In Quarantine', value: () => '' },
      { label: 'Policy, Virus and Outbreak', depth: 1, value: () => '0' },
      { label: 'Kilobytes Free', value: num((g) => g.kilobytesFree) },
    ],
  },
];

const LABEL_WIDTH = 32;
const row = (label: string, cells: string[]) => `${label.padEnd(LABEL_WIDTH)}${cells.map((c) => c.padStart(12)).join('')}`.trimEnd();

/** A section: its title row, then each group's heading and rows, with one value per column set. */
function section<T>(title: string, columns: string[], groups: Group<T>[], ...values: T[]): string[] {
  return [
    row(`${title}:`, columns),
    ...groups.flatMap((g) => [
      `  ${g.heading}`,
      ...g.rows.map((r) =>
        row(
          `${'  '.repeat(2 + (r.depth ?? 0))}${r.label}`,
          values.flatMap((v) => r.value(v)),
        ),
      ),
    ]),
  ];
}

/**
 * `status` and `status detail` as on the appliance, from the blank line after the command on.
 * Plain `status` first points at the detail, as the appliance does (fidelity-sources C1, C2).
 */
export function renderStatus(s: ApplianceStatus, detail: boolean): string {
  const c = s.counters;
  return [
    '',
    ...(detail ? [] : ['Enter "status detail" for more information.', '']),
    `Status as of:                  ${zonedDate(s.now)}`,
    `Up since:                      ${zonedDate(s.upSince)} (${elapsedText(s.now - s.upSince)})`,
    `Last counter reset:            ${s.lastCounterReset === null ? 'Never' : zonedDate(s.lastCounterReset)}`,
    `System status:                 ${s.gauges.workQueuePaused ? 'Online (work queue paused)' : 'Online'}`,
    `Oldest Message:                ${s.oldestMessage === null ? 'No Messages' : elapsedText(s.now - s.oldestMessage)}`,
    // segsim's own line (AsyncOS has no spool quarantine), shown only when it holds something
    ...(s.quarantinedMessages > 0 ? [`Messages in spool quarantine:  ${count(s.quarantinedMessages)}`] : []),
    '',
    'Feature - IronPort Anti-Spam: Perpetual (lab)',
    'Feature - Sophos Anti-Virus: Perpetual (lab)',
    'Feature - Threat Defense Connector: Perpetual (lab)',
    '',
    ...section('Counters', ['Reset', 'Uptime', 'Lifetime'], COUNTER_GROUPS, c.reset, c.uptime, c.lifetime),
    '  Current IDs',
    row('    Message ID (MID)', ['', '', count(s.ids.mid)]),
    row('    Injection Conn. ID (ICID)', ['', '', count(s.ids.icid)]),
    row('    Delivery Conn. ID (DCID)', ['', '', count(s.ids.dcid)]),
    ...(detail ? ['', ...section('Rates (Events Per Hour)', ['1-Minute', '5-Minutes', '15-Minutes'], RATE_GROUPS, s.rates)] : []),
    '',
    ...section('Gauges', ['Current'], GAUGE_GROUPS, s.gauges),
  ].join('\n');
}
