import { completedRecipients, type HostStatus } from '../../engine/host-status.js';
import { asyncosDate, zoneName } from '../../engine/time-format.js';
import { count } from './numbers.js';

const line = (label: string, value: number) => `${label.padEnd(38)}${count(value).padStart(10)}`;

/** `hoststatus DOMAIN` as on the appliance. */
export function renderHoststatus(h: HostStatus, now: number): string {
  const upDown = h.hostDown === null ? 'unknown' : h.hostDown ? 'down' : 'up';
  const when = (ms: number | null, none: string) => (ms === null ? none : `${asyncosDate(ms)} ${zoneName(ms)}`);
  return [
    `Host mail status for:    ${h.host}`,
    `Status as of:            ${asyncosDate(now)} ${zoneName(now)}`,
    `Host up/down:            ${upDown}${h.suspended ? ' (delivery suspended)' : ''}`,
    '',
    'Counters:',
    line('  Soft Bounced Events', h.softBouncedEvents),
    line('  Completed Recipients', completedRecipients(h)),
    line('    Hard Bounced Recipients', h.hardBouncedRecipients),
    line('      DNS Hard Bounces', h.hardBounces.dns),
    line('      5XX Hard Bounces', h.hardBounces.fiveXX),
    line('      Filter Hard Bounces', h.hardBounces.filter),
    line('      Expired Hard Bounces', h.hardBounces.expired),
    line('      Other Hard Bounces', h.hardBounces.other),
    line('    Delivered Recipients', h.deliveredRecipients),
    line('    Deleted Recipients', h.deletedRecipients),
    '',
    'Gauges:',
    line('  Active Recipients', h.activeRecipients),
    line('    Unattempted Recipients', h.unattemptedRecipients),
    line('    Attempted Recipients', h.attemptedRecipients),
    line('  Current Outbound Connections', h.connectionsOut),
    line('  Pending Outbound Connections', h.pendingConnections),
    '',
    `Oldest Message          ${when(h.oldestMessage, 'No Messages')}`,
    `Last Activity           ${when(h.lastActivity, 'Never')}`,
    '',
    `SMTP routes for this host: ${h.routes.length > 0 ? h.routes.join(', ') : 'None'}`,
  ].join('\n');
}
