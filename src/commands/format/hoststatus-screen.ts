import { completedRecipients, type HostStatus } from '../../engine/host-status.js';
import { zonedDate } from '../../engine/time-format.js';
import { count } from './numbers.js';

/** One figure of hoststatus: its label, its group (`Queue`, `Completion` ...), its depth in that group, and its value. */
export interface HoststatusFigure {
  label: string;
  group: string;
  depth: number;
  value: (h: HostStatus) => number;
}

/**
 * The figures of `hoststatus`, by heading, in the appliance's order (the CLI screen and the web
 * page). The counters' groups are the appliance's (asyncos-cli.md §10.3); the gauges' grouping is
 * inferred (Queue, Connections as in `status`).
 */
export const HOSTSTATUS_FIGURES: { heading: string; figures: HoststatusFigure[] }[] = [
  {
    heading: 'Counters',
    figures: [
      { label: 'Soft Bounced Events', group: 'Queue', depth: 1, value: (h) => h.softBouncedEvents },
      { label: 'Completed Recipients', group: 'Completion', depth: 1, value: completedRecipients },
      { label: 'Hard Bounced Recipients', group: 'Completion', depth: 2, value: (h) => h.hardBouncedRecipients },
      { label: 'DNS Hard Bounces', group: 'Completion', depth: 3, value: (h) => h.hardBounces.dns },
      { label: '5XX Hard Bounces', group: 'Completion', depth: 3, value: (h) => h.hardBounces.fiveXX },
      { label: 'Filter Hard Bounces', group: 'Completion', depth: 3, value: (h) => h.hardBounces.filter },
      { label: 'Expired Hard Bounces', group: 'Completion', depth: 3, value: (h) => h.hardBounces.expired },
      { label: 'Other Hard Bounces', group: 'Completion', depth: 3, value: (h) => h.hardBounces.other },
      { label: 'Delivered Recipients', group: 'Completion', depth: 2, value: (h) => h.deliveredRecipients },
      { label: 'Deleted Recipients', group: 'Completion', depth: 2, value: (h) => h.deletedRecipients },
    ],
  },
  {
    heading: 'Gauges',
    figures: [
      { label: 'Active Recipients', group: 'Queue', depth: 1, value: (h) => h.activeRecipients },
      { label: 'Unattempted Recipients', group: 'Queue', depth: 2, value: (h) => h.unattemptedRecipients },
      { label: 'Attempted Recipients', group: 'Queue', depth: 2, value: (h) => h.attemptedRecipients },
      { label: 'Current Outbound Connections', group: 'Connections', depth: 1, value: (h) => h.connectionsOut },
      { label: 'Pending Outbound Connections', group: 'Connections', depth: 1, value: (h) => h.pendingConnections },
    ],
  },
];

/** Host up/down as hoststatus says it. */
export const upDown = (h: HostStatus) => `${h.hostDown === null ? 'unknown' : h.hostDown ? 'down' : 'up'}${h.suspended ? ' (delivery suspended)' : ''}`;

/** Oldest Message / Last Activity, as hoststatus words them. */
export const hostTimes = (h: HostStatus) => {
  const when = (ms: number | null, none: string) => (ms === null ? none : zonedDate(ms));
  return { oldest: when(h.oldestMessage, 'No Messages'), last: when(h.lastActivity, 'Never') };
};

/** A heading's figures, each group's name before its first figure. */
function figureLines(figures: HoststatusFigure[], h: HostStatus): string[] {
  return figures.flatMap((f, i) => [
    ...(i === 0 || figures[i - 1]!.group !== f.group ? [`  ${f.group}`] : []),
    `${`${'  '.repeat(f.depth + 1)}${f.label}`.padEnd(40)}${count(f.value(h)).padStart(10)}`,
  ]);
}

/** `hoststatus DOMAIN` as on the appliance, from the blank line after the command on. */
export function renderHoststatus(h: HostStatus, now: number): string {
  const times = hostTimes(h);
  return [
    '',
    `Host mail status for: '${h.host}'`,
    `Status as of:         ${zonedDate(now)}`,
    `Host up/down:         ${upDown(h)}`,
    ...HOSTSTATUS_FIGURES.flatMap((g) => ['', `${g.heading}:`, ...figureLines(g.figures, h)]),
    '',
    `Oldest Message        ${times.oldest}`,
    `Last Activity         ${times.last}`,
    '',
    `SMTP routes for this host: ${h.routes.length > 0 ? h.routes.join(', ') : 'None'}`,
  ].join('\n');
}
