import { BlockList, isIP } from 'node:net';
import type { ListenerConfig } from './config/model.js';

/**
 * What the Host Access Table does with a connecting host, as AsyncOS names it (reference §4.2:
 * the HAT line's `actual_access`): ACCEPT (the RAT decides per recipient), RELAY (any recipient,
 * the RAT is not asked), REJECT (`554` at connect, then close) and TCPREFUSE (closed at the TCP
 * level, no reply). AsyncOS's other behaviours (CONTINUE, rate limits) need sender groups and
 * SenderBase, which the lab does not simulate.
 */
export const HAT_BEHAVIORS = ['ACCEPT', 'RELAY', 'REJECT', 'TCPREFUSE'] as const;
export type HatBehavior = (typeof HAT_BEHAVIORS)[number];

/** The listener's HAT: entries in match order (first match wins), then the ALL row. */
export type HostAccessTable = NonNullable<ListenerConfig['hostAccess']>;
export type HatEntry = HostAccessTable['entries'][number];

/** A listener without a HAT of its own accepts every host, as a public listener's ALL row does. */
export const DEFAULT_HOST_ACCESS: Readonly<HostAccessTable> = Object.freeze({ entries: [], defaultBehavior: 'ACCEPT' });

/** The HAT's verdict on one connection: the behaviour, and the row that matched (`ALL` for the last one). */
export interface HatVerdict {
  behavior: HatBehavior;
  match: string;
}

/**
 * The reply to a host the HAT rejects: what an ESA answers at connect with its BLOCKED_LIST
 * policy (seen from a real ESA, quoted in a Postfix log). The appliance sends `554-<host>` first;
 * smtp-server refuses a connection with one line, so that line is left out.
 */
export const HAT_REJECT_REPLY =
  "Your access to this mail system has been rejected due to the sending MTA's poor reputation. If you believe that this failure is in error, please contact the intended recipient via alternate means.";

const IPV4_RANGE = /^(\d{1,3}\.\d{1,3}\.\d{1,3}\.)(\d{1,3})-(\d{1,3})$/;
const IPV4_PARTIAL = /^(\d{1,3}\.){1,3}$/;

/** The hosts a sender pattern stands for; null when it is not one the HAT takes. */
function senderHosts(sender: string): BlockList | null {
  const hosts = new BlockList();
  const family = (ip: string) => (isIP(ip) === 6 ? 'ipv6' : 'ipv4');
  if (isIP(sender)) {
    hosts.addAddress(sender, family(sender));
    return hosts;
  }
  const cidr = /^([^/]+)\/(\d{1,3})$/.exec(sender);
  if (cidr) {
    const [, network, bits] = cidr;
    if (!isIP(network!) || Number(bits) > (isIP(network!) === 6 ? 128 : 32)) return null;
    hosts.addSubnet(network!, Number(bits), family(network!));
    return hosts;
  }
  const range = IPV4_RANGE.exec(sender);
  if (range) {
    const [, prefix, first, last] = range;
    if (!isIP(`${prefix}${first}`) || !isIP(`${prefix}${last}`) || Number(first) > Number(last)) return null;
    hosts.addRange(`${prefix}${first}`, `${prefix}${last}`, 'ipv4');
    return hosts;
  }
  if (IPV4_PARTIAL.test(sender)) {
    // `10.1.` is every address that starts so: 10.1.0.0/16
    const octets = sender.slice(0, -1).split('.');
    if (octets.some((o) => Number(o) > 255)) return null;
    hosts.addSubnet([...octets, '0', '0', '0'].slice(0, 4).join('.'), octets.length * 8, 'ipv4');
    return hosts;
  }
  return null;
}

/**
 * Why a HAT sender pattern cannot be used (null when it can). Host names are refused: AsyncOS
 * matches them against the client's verified reverse DNS name, and the lab appliance does no
 * reverse DNS (its log says `reverse dns host unknown`), so such a row could never match.
 */
export function hatSenderProblem(sender: string): string | null {
  if (sender.toUpperCase() === 'ALL') return 'ALL is the last row of the table: set its behavior with DEFAULT';
  if (senderHosts(sender)) return null;
  if (/[a-z]/i.test(sender) && !sender.includes(':')) {
    return 'host names need reverse DNS, which the lab appliance does not look up: enter an IP address, a CIDR range (10.1.1.0/24), a range (10.1.1.10-20) or a partial address (10.1.1.)';
  }
  return 'enter an IP address, a CIDR range (10.1.1.0/24), a range (10.1.1.10-20) or a partial address (10.1.1.)';
}

/** Each table's rows compiled once (a committed configuration is not changed in place). */
const compiled = new WeakMap<HostAccessTable, { entry: HatEntry; hosts: BlockList | null }[]>();

/** The HAT's verdict on a host: the first row that matches it, else the ALL row. */
export function hostAccessVerdict(table: Readonly<HostAccessTable> | undefined, ip: string): HatVerdict {
  const hat = table ?? DEFAULT_HOST_ACCESS;
  let rows = compiled.get(hat);
  if (!rows) compiled.set(hat, (rows = hat.entries.map((entry) => ({ entry, hosts: senderHosts(entry.sender) }))));
  const family = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
  const hit = rows.find((r) => r.hosts?.check(ip, family));
  return hit ? { behavior: hit.entry.behavior, match: hit.entry.sender } : { behavior: hat.defaultBehavior, match: 'ALL' };
}
