import { completedRecipients, type HostStatus } from '../../engine/host-status.js';
import { asyncosDate, zoneName } from '../../engine/time-format.js';
import { count } from './numbers.js';

/** One figure of hoststatus: its label, its depth under its heading, and its value. */
export interface HoststatusFigure {
  label: string;
  depth: number;
  value: (h: HostStatus) => number;
}

/** The figures of `hoststatus`, by heading, in the appliance's order (the CLI screen and the web page). */
export const HOSTSTATUS_FIGURES: { heading: string; figures: HoststatusFigure[] }[] = [
  {
    heading: 'Counters',
    figures: [
      { label: 'Soft Bounced Events', depth: 1, value: (h) => h.softBouncedEvents },
      { label: 'Completed Recipients', depth: 1, value: completedRecipients },
      { label: 'Hard Bounced Recipients', depth: 2, value: (h) => h.hardBouncedRecipients },
      { label: 'DNS Hard Bounces', depth: 3, value: (h) => h.hardBounces.dns },
      { label: '5XX Hard Bounces', depth: 3, value: (h) => h.hardBounces.fiveXX },
      { label: 'Filter Hard Bounces', depth: 3, value: (h) => h.hardBounces.filter },
      { label: 'Expired Hard Bounces', depth: 3, value: (h) => h.hardBounces.expired },
      { label: 'Other Hard Bounces', depth: 3, value: (h) => h.hardBounces.other },
      { label: 'Delivered Recipients', depth: 2, value: (h) => h.deliveredRecipients },
      { label: 'Deleted Recipients', depth: 2, value: (h) => h.deletedRecipients },
    ],
  },
  {
    heading: 'Gauges',
    figures: [
      { label: 'Active Recipients', depth: 1, value: (h) => h.activeRecipients },
      { label: 'Unattempted Recipients', depth: 2, value: (h) => h.unattemptedRecipients },
      { label: 'Attempted Recipients', depth: 2, value: (h) => h.attemptedRecipients },
      { label: 'Current Outbound Connections', depth: 1, value: (h) => h.connectionsOut },
      { label: 'Pending Outbound Connections', depth: 1, value: (h) => h.pendingConnections },
    ],
  },
];

/** Host up/down as hoststatus says it. */
export const upDown = (h: HostStatus) => `${h.hostDown === null ? 'unknown' : h.hostDown ? 'down' : 'up'}${h.suspended ? ' (delivery suspended)' : ''}`;

/** Oldest Message / Last Activity, as hoststatus words them. */
export const hostTimes = (h: HostStatus) => {
  const when = (ms: number | null, none: string) => (ms === null ? none : `${asyncosDate(ms)} ${zoneName(ms)}`);
  return { oldest: when(h.oldestMessage, 'No Messages'), last: when(h.lastActivity, 'Never') };
};

const line = (f: HoststatusFigure, h: HostStatus) => `${`${'  '.repeat(f.depth)}${f.label}`.padEnd(38)}${count(f.value(h)).padStart(10)}`;

/** `hoststatus DOMAIN` as on the appliance. */
export function renderHoststatus(h: HostStatus, now: number): string {
  const times = hostTimes(h);
  return [
    `Host mail status for:    ${h.host}`,
    `Status as of:            ${asyncosDate(now)} ${zoneName(now)}`,
    `Host up/down:            ${upDown(h)}`,
    ...HOSTSTATUS_FIGURES.flatMap((g) => ['', `${g.heading}:`, ...g.figures.map((f) => line(f, h))]),
    '',
    `Oldest Message          ${times.oldest}`,
    `Last Activity           ${times.last}`,
    '',
    `SMTP routes for this host: ${h.routes.length > 0 ? h.routes.join(', ') : 'None'}`,
  ].join('\n');
}
