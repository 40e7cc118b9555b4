import { isDomain } from '../config/validate.js';
import { ErrorCodes } from '../../errors.js';
import type { ConfigEditor } from './config-editor.js';
import { checkSetting, SettingError } from './setting-error.js';

/* The SMTP routes' operations (smtproutes): a domain's mail to given hosts, or discarded. */

const DISCARD = '/dev/null';

/** A route's domain: a domain, .partial.domain or ALL. */
export const routeDomainProblem = (d: string): string | null => (d.toUpperCase() === 'ALL' || isDomain(d.replace(/^\./, '')) ? null : 'enter a domain, .partial.domain or ALL');

/** A route's domain as routes keep it: ALL, else lower case. */
const routeDomain = (d: string) => (checkSetting('route.domain', d, routeDomainProblem).toUpperCase() === 'ALL' ? 'ALL' : d.toLowerCase());

/** A destination: host, host:port ([address] for an IP literal) or /dev/null. */
export function destinationProblem(d: string): string | null {
  if (d === DISCARD) return null;
  const m = /^(\[[^\]]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(d);
  return !m || (m[2] !== undefined && (Number(m[2]) < 1 || Number(m[2]) > 65535)) ? 'use host, host:port or /dev/null' : null;
}

/** Destinations typed as one text: separated by commas or spaces. */
export const splitDestinations = (text: string): string[] => text.split(/[\s,]+/).filter(Boolean);

function checkDestinations(list: string[]): string[] {
  if (list.length === 0) throw new SettingError('route.destinations', 'a route needs at least one destination host (or /dev/null)', { missing: true });
  if (list.includes(DISCARD) && list.length > 1) throw new SettingError('route.destinations', '/dev/null must be the only destination of a route', { startsWithName: true });
  for (const d of list) checkSetting('route.destinations', d, destinationProblem);
  return list;
}

/** Adds the route of a domain, or replaces its destinations (`replace`; else a route already there is refused). */
export function setRoute(editor: ConfigEditor, domain: string, destinations: string[], replace: boolean): void {
  const d = routeDomain(domain);
  const dests = checkDestinations(destinations);
  editor.session.config.edit((c) => {
    const existing = c.smtpRoutes.find((r) => r.domain === d);
    if (existing && !replace) throw new SettingError('route.domain', `there is already a route for ${d}`, { code: ErrorCodes.conflict });
    if (existing) existing.destinations = dests;
    else c.smtpRoutes.push({ domain: d, destinations: dests });
  });
}

export function deleteRoute(editor: ConfigEditor, domain: string): void {
  const d = domain.toLowerCase();
  editor.session.config.edit((c) => {
    const i = c.smtpRoutes.findIndex((r) => r.domain.toLowerCase() === d);
    if (i < 0) throw new SettingError('route.domain', `there is no route for ${d}`, { code: ErrorCodes.notFound });
    c.smtpRoutes.splice(i, 1);
  });
}

export function clearRoutes(editor: ConfigEditor): void {
  editor.session.config.edit((c) => void (c.smtpRoutes = []));
}
