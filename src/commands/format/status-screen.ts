import type { ApplianceStatus, MailCounters } from '../../engine/appliance-status.js';
import { asyncosDate, zoneName } from '../../engine/time-format.js';
import { count } from './numbers.js';

const COUNTER_ROWS: [string, (c: MailCounters) => number][] = [
  ['Messages Received', (c) => c.messagesReceived],
  ['Recipients Received', (c) => c.recipientsReceived],
  ['Gen. Bounce Recipients', (c) => c.generatedBounceRecipients],
  ['Rejected Recipients', (c) => c.rejectedRecipients],
  ['Dropped Messages', (c) => c.droppedMessages],
  ['Soft Bounced Events', (c) => c.softBouncedEvents],
  ['Completed Recipients', (c) => c.hardBouncedRecipients + c.deliveredRecipients + c.deletedRecipients],
  ['  Hard Bounced Recipients', (c) => c.hardBouncedRecipients],
  ['    DNS Hard Bounces', (c) => c.dnsHardBounces],
  ['    5XX Hard Bounces', (c) => c.fiveXXHardBounces],
  ['    Expired Hard Bounces', (c) => c.expiredHardBounces],
  ['    Filter Hard Bounces', (c) => c.filterHardBounces],
  ['    Other Hard Bounces', (c) => c.otherHardBounces],
  ['  Delivered Recipients', (c) => c.deliveredRecipients],
  ['  Deleted Recipients', (c) => c.deletedRecipients],
];

function duration(ms: number): string {
  let s = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  return `${d}d ${h}h ${m}m ${s - m * 60}s`;
}

const date = (ms: number) => `${asyncosDate(ms)} ${zoneName(ms)}`;
const row = (label: string, cells: string[], width = 12) => `${label.padEnd(28)}${cells.map((c) => c.padStart(width)).join('')}`;

/** `status` and `status detail` as on the appliance. */
export function renderStatus(s: ApplianceStatus, detail: boolean): string {
  const c = s.counters;
  const rates: [string, [number, number, number]][] = [
    ['Messages Received', s.rates.messagesReceived],
    ['Recipients Received', s.rates.recipientsReceived],
    ['Soft Bounced Events', s.rates.softBouncedEvents],
    ['Completed Recipients', s.rates.completedRecipients],
    ['  Hard Bounced Recipients', s.rates.hardBouncedRecipients],
    ['  Delivered Recipients', s.rates.deliveredRecipients],
  ];
  const g = s.gauges;
  return [
    `Status as of:                  ${date(s.now)}`,
    `Up since:                      ${date(s.upSince)} (${duration(s.now - s.upSince)})`,
    `Last counter reset:            ${s.lastCounterReset === null ? 'Never' : date(s.lastCounterReset)}`,
    `System status:                 ${g.workQueuePaused ? 'Online (work queue paused)' : 'Online'}`,
    `Oldest Message:                ${s.oldestMessage === null ? 'No Messages' : duration(s.now - s.oldestMessage)}`,
    // segsim's own line (AsyncOS has no spool quarantine), shown only when it holds something
    ...(s.quarantinedMessages > 0 ? [`Messages in spool quarantine:  ${count(s.quarantinedMessages)}`] : []),
    '',
    'Feature - IronPort Anti-Spam: Perpetual (lab)',
    'Feature - Sophos Anti-Virus: Perpetual (lab)',
    'Feature - Threat Defense Connector: Perpetual (lab)',
    '',
    row('Counters:', ['Reset', 'Uptime', 'Lifetime']),
    ...COUNTER_ROWS.map(([label, get]) => row(`  ${label}`, [count(get(c.reset)), count(get(c.uptime)), count(get(c.lifetime))])),
    '',
    row('  Message ID (MID)', ['', '', count(s.ids.mid)]),
    row('  Injection Conn. ID (ICID)', ['', '', count(s.ids.icid)]),
    row('  Delivery Conn. ID (DCID)', ['', '', count(s.ids.dcid)]),
    ...(detail
      ? ['', row('Rates (Events Per Hour):', ['1-Minute', '5-Minutes', '15-Minutes']), ...rates.map(([label, r]) => row(`  ${label}`, r.map(count)))]
      : []),
    '',
    'Gauges:',
    row('  RAM Utilization', [`${g.ramUtilization}%`]),
    row('  Current Inbound Conn.', [count(g.currentInboundConnections)]),
    row('  Current Outbound Conn.', [count(g.currentOutboundConnections)]),
    row('  Active Recipients', [count(g.activeRecipients)]),
    row('    Unattempted Recipients', [count(g.unattemptedRecipients)]),
    row('    Attempted Recipients', [count(g.attemptedRecipients)]),
    row('  Messages In Work Queue', [count(g.messagesInWorkQueue)]),
    row('  Destinations In Memory', [count(g.destinationsInMemory)]),
    row('  Kilobytes Used', [count(g.kilobytesUsed)]),
    row('  Kilobytes Free', [count(g.kilobytesFree)]),
  ].join('\n');
}
