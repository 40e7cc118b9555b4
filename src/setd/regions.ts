import type { ValueRule } from '../engine/config/validate.js';

/**
 * SETD regions and the domain of the Message Intake Addresses each issues. The seed shows a Beta
 * address at beta.cmd.cisco.com; the others follow the documented journal domains per region.
 */
export const REGIONS = [
  { key: 'north-america', name: 'North America', intakeDomain: 'mail.cmd.cisco.com' },
  { key: 'europe', name: 'Europe', intakeDomain: 'mail.eu.cmd.cisco.com' },
  { key: 'australia', name: 'Australia', intakeDomain: 'mail.au.etd.cisco.com' },
  { key: 'india', name: 'India', intakeDomain: 'mail.in.etd.cisco.com' },
  { key: 'uae', name: 'UAE', intakeDomain: 'mail.ae.etd.cisco.com' },
  { key: 'beta', name: 'Beta', intakeDomain: 'beta.cmd.cisco.com' },
] as const;

export type RegionKey = (typeof REGIONS)[number]['key'];

/** A region by key or name, case-insensitively (`europe`, `Europe`, `north america`). */
export function findRegion(value: string): (typeof REGIONS)[number] | undefined {
  const v = value.toLowerCase().replace(/[\s_]+/g, '-');
  return REGIONS.find((r) => r.key === v || r.name.toLowerCase().replace(/\s+/g, '-') === v);
}

/** The rule for a region typed by the operator (setd setup --region, a lab's accounts). */
export const REGION: ValueRule = {
  what: 'region',
  problem: (value) => (findRegion(value) ? null : `use one of ${REGIONS.map((r) => r.key).join(', ')}`),
};

export function intakeDomains(): string[] {
  return REGIONS.map((r) => r.intakeDomain);
}
