import type { SmtpRoute } from '../../config/model.js';
import type { QueueRecord } from '../spool.js';
import { isLoopback, resolveDestination, splitHostPort, type Resolution, type Target } from './resolver.js';

const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1).toLowerCase();

/**
 * Where a queued record goes. A journal copy goes to its intake address's domain; other mail to
 * its destination domain, or to the one host of `redirectrecipients`.
 */
export class Router {
  #redirect: string | null = null;

  constructor(
    private readonly routes: () => readonly SmtpRoute[],
    private readonly labHost: (host: string) => Target | null,
  ) {}

  get redirect(): string | null {
    return this.#redirect;
  }

  set redirect(host: string | null) {
    this.#redirect = host;
  }

  resolve(queue: string, record: QueueRecord): Resolution {
    if (record.kind === 'journal') return resolveDestination(domainOf(record.rcpts[0]!.address), this.routes(), this.labHost);
    if (this.#redirect) {
      const { host, port } = splitHostPort(this.#redirect);
      const lab = this.labHost(host);
      if (lab) return { kind: 'hosts', targets: [lab], route: `redirect -> ${this.#redirect}` };
      return isLoopback(host) ? { kind: 'hosts', targets: [{ host, port: port ?? 25 }], route: `redirect -> ${this.#redirect}` } : { kind: 'nxdomain', domain: host };
    }
    return resolveDestination(queue, this.routes(), this.labHost);
  }
}

export function sameTarget(resolution: Resolution, target: Target): boolean {
  return resolution.kind === 'hosts' && resolution.targets[0]!.host === target.host && resolution.targets[0]!.port === target.port;
}
