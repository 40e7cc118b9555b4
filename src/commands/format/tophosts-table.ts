import { idleHostStatus, type HostStatus } from '../../engine/host-status.js';
import { zonedDate } from '../../engine/time-format.js';
import { count } from './numbers.js';

/**
 * The orders of `tophosts`: `keyword` is the AsyncOS inline form (`tophosts active_rcpts`), `key`
 * segsim's `--sort` value, `label` the menu item.
 */
export const TOPHOSTS_SORTS = [
  { key: 'active', keyword: 'active_rcpts', label: 'Active Recipients', value: (h: HostStatus) => h.activeRecipients },
  { key: 'connections', keyword: 'conn_out', label: 'Connections Out', value: (h: HostStatus) => h.connectionsOut },
  { key: 'delivered', keyword: 'deliv_rcpts', label: 'Delivered Recipients', value: (h: HostStatus) => h.deliveredRecipients },
  { key: 'hard', keyword: 'hard_bounced', label: 'Hard Bounced Recipients', value: (h: HostStatus) => h.hardBouncedRecipients },
  { key: 'soft', keyword: 'soft_bounced', label: 'Soft Bounced Events', value: (h: HostStatus) => h.softBouncedEvents },
] as const;

export type TophostsSort = (typeof TOPHOSTS_SORTS)[number]['key'];

/** The order a `--sort` value or an inline keyword names (either form, any case), or undefined. */
export function tophostsSort(word: string): TophostsSort | undefined {
  const w = word.toLowerCase();
  return TOPHOSTS_SORTS.find((s) => s.key === w || s.keyword === w)?.key;
}

export const TOPHOSTS_LIMIT = 20;

/**
 * The appliance's internal queues: AsyncOS lists them in `tophosts` always, at zero too
 * (asyncos-cli.md §10.2). segsim has no encryption or spam quarantine, so they stay at zero.
 */
export const INTERNAL_QUEUES = ['the.encryption.queue', 'the.euq.queue', 'the.euq.release.queue'] as const;

/** The top hosts by one counter, highest first, ties by name; the internal queues always among them. */
export function topHosts(hosts: HostStatus[], sort: TophostsSort): HostStatus[] {
  const by = TOPHOSTS_SORTS.find((s) => s.key === sort)!.value;
  const known = new Set(hosts.map((h) => h.host));
  const all = [...hosts, ...INTERNAL_QUEUES.filter((q) => !known.has(q)).map(idleHostStatus)];
  return all.sort((a, b) => by(b) - by(a) || a.host.localeCompare(b.host)).slice(0, TOPHOSTS_LIMIT);
}

/** Width of the host column: with the counters, a row fits 80 columns. */
const HOST_WIDTH = 28;
const CELL_WIDTHS = [8, 7, 12, 10, 10];
/** counters right-aligned, with a space before each however wide it is */
const cells = (values: string[]) => values.map((c, i) => ` ${c.padStart(CELL_WIDTHS[i]! - 1)}`).join('');

/** One row; a host name longer than its column goes on a line of its own, the counters under it. */
function row(rank: string, host: string, values: string[]): string[] {
  const lead = `${rank.padStart(4)} `;
  if (host.length <= HOST_WIDTH) return [`${lead}${host.padEnd(HOST_WIDTH)}${cells(values)}`];
  return [`${lead}${host}`, `${''.padEnd(lead.length + HOST_WIDTH)}${cells(values)}`];
}

/** The tophosts screen as on the appliance, from the blank line after the command on. */
export function renderTophosts(hosts: HostStatus[], sort: TophostsSort, now: number): string {
  return [
    '',
    `Status as of:                   ${zonedDate(now)}`,
    "Hosts marked with '*' were down as of the last delivery attempt.",
    '',
    `${''.padEnd(5 + HOST_WIDTH)}${cells(['Active', 'Conn.', 'Deliv.', 'Soft', 'Hard'])}`,
    ...row('#', 'Recipient Host', ['Recip.', 'Out', 'Recip.', 'Bounced', 'Bounced']),
    ...topHosts(hosts, sort).flatMap((h, i) =>
      row(`${i + 1}${h.hostDown ? '*' : ' '}`, h.host, [count(h.activeRecipients), count(h.connectionsOut), count(h.deliveredRecipients), count(h.softBouncedEvents), count(h.hardBouncedRecipients)]),
    ),
  ].join('\n');
}
