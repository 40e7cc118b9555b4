import type { HostStatus } from '../../engine/host-status.js';
import { asyncosDate, zoneName } from '../../engine/time-format.js';
import { count } from './numbers.js';

export const TOPHOSTS_SORTS = [
  { key: 'active', label: 'Active Recipients', value: (h: HostStatus) => h.activeRecipients },
  { key: 'connections', label: 'Connections Out', value: (h: HostStatus) => h.connectionsOut },
  { key: 'delivered', label: 'Delivered Recipients', value: (h: HostStatus) => h.deliveredRecipients },
  { key: 'hard', label: 'Hard Bounced Recipients', value: (h: HostStatus) => h.hardBouncedRecipients },
  { key: 'soft', label: 'Soft Bounced Events', value: (h: HostStatus) => h.softBouncedEvents },
] as const;

export type TophostsSort = (typeof TOPHOSTS_SORTS)[number]['key'];

export const TOPHOSTS_LIMIT = 20;

/** The top hosts by one counter, highest first, ties by name. */
export function topHosts(hosts: HostStatus[], sort: TophostsSort): HostStatus[] {
  const by = TOPHOSTS_SORTS.find((s) => s.key === sort)!.value;
  return [...hosts].sort((a, b) => by(b) - by(a) || a.host.localeCompare(b.host)).slice(0, TOPHOSTS_LIMIT);
}

/** The tophosts screen as on the appliance. */
export function renderTophosts(hosts: HostStatus[], sort: TophostsSort, now: number): string {
  const rows = topHosts(hosts, sort);
  const line = (rank: string, host: string, cells: string[]) =>
    `${rank.padStart(4)} ${host.padEnd(30)}${cells.map((c, i) => c.padStart(i === 0 ? 8 : 10)).join('')}`;
  return [
    `Status as of:                   ${asyncosDate(now)} ${zoneName(now)}`,
    "Hosts marked with '*' were down as of the last delivery attempt.",
    '',
    `${''.padEnd(35)}${['Active', 'Conn.', 'Deliv.', 'Soft', 'Hard'].map((c, i) => c.padStart(i === 0 ? 8 : 10)).join('')}`,
    line('#', 'Recipient Host', ['Recip.', 'Out', 'Recip.', 'Bounced', 'Bounced']),
    ...rows.map((h, i) =>
      line(`${i + 1}${h.hostDown ? '*' : ' '}`, h.host, [
        count(h.activeRecipients),
        count(h.connectionsOut),
        count(h.deliveredRecipients),
        count(h.softBouncedEvents),
        count(h.hardBouncedRecipients),
      ]),
    ),
  ].join('\n');
}
