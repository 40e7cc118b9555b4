import { isIP } from 'node:net';
import type { SmtpRoute } from '../../config/model.js';
import { memberMatches } from '../../policy-match.js';

export interface Target {
  host: string;
  port: number;
}

export type Resolution = { kind: 'hosts'; targets: Target[]; route: string } | { kind: 'devnull' } | { kind: 'nxdomain'; domain: string };

/**
 * Where mail for a domain goes: SMTP routes first, then the lab's own records (the lab mail
 * server, the SETD emulator's intake domains), else NXDomain. Nothing ever resolves to an address
 * outside this machine: a lab has no other DNS.
 */
export function resolveDestination(domain: string, routes: readonly SmtpRoute[], labHost: (host: string) => Target | null): Resolution {
  const route =
    routes.find((r) => r.domain.toLowerCase() === domain.toLowerCase()) ??
    routes.find((r) => r.domain.startsWith('.') && memberMatches(r.domain, `x@${domain}`)) ??
    routes.find((r) => r.domain.toUpperCase() === 'ALL');
  if (route) {
    if (route.destinations.length === 1 && route.destinations[0] === '/dev/null') return { kind: 'devnull' };
    const targets = route.destinations.flatMap((d) => {
      const { host, port } = splitHostPort(d);
      const lab = labHost(host);
      if (lab) return [lab];
      return isLoopback(host) ? [{ host, port: port ?? 25 }] : [];
    });
    if (targets.length === 0) return { kind: 'nxdomain', domain: splitHostPort(route.destinations[0]!).host };
    return { kind: 'hosts', targets, route: `${route.domain} -> ${route.destinations.join(', ')}` };
  }
  const lab = labHost(domain);
  return lab ? { kind: 'hosts', targets: [lab], route: `${domain} -> ${lab.host}:${lab.port} (lab)` } : { kind: 'nxdomain', domain };
}

export function splitHostPort(value: string): { host: string; port?: number } {
  const bracket = /^\[(.*)\](?::(\d+))?$/.exec(value);
  if (bracket) return { host: bracket[1]!, port: bracket[2] ? Number(bracket[2]) : undefined };
  const i = value.lastIndexOf(':');
  if (i > 0 && isIP(value) !== 6 && /^\d+$/.test(value.slice(i + 1))) return { host: value.slice(0, i), port: Number(value.slice(i + 1)) };
  return { host: value };
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}
