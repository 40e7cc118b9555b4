import { networkInterfaces } from 'node:os';

/**
 * The lab appliance's one IP interface, on the loopback network: `interfaceconfig` lists it and
 * mail_logs names it (`New SMTP ICID n interface Management (127.0.0.1)`). AsyncOS logs the IP
 * interface's name there, not the listener's (reference §10.7).
 */
export const MANAGEMENT_INTERFACE = { name: 'Management', address: '127.0.0.1', prefixLength: 8, device: 'lo' } as const;

const isLoopback = (address: string) => address.startsWith('127.') || address === '::1';

/**
 * The name of the IP interface a local address belongs to: Management for the loopback network;
 * for an address a listener was bound to outside it, the host's device holding it (else the
 * address itself). Called once per inbound connection; the host's list is read once.
 */
export function ipInterfaceName(localAddress: string): string {
  const address = localAddress.replace(/^::ffff:/, '');
  if (isLoopback(address)) return MANAGEMENT_INTERFACE.name;
  hostDevices ??= new Map(Object.entries(networkInterfaces()).flatMap(([device, list]) => (list ?? []).map((a) => [a.address, device] as const)));
  return hostDevices.get(address) ?? address;
}

let hostDevices: Map<string, string> | undefined;
