import type { Appliance } from '../engine/appliance.js';
import { trackingOf, type TrackedMessage, type TrackingCriteria } from '../engine/message-tracking.js';

/** A Message Tracking search: every given criterion must hold (text criteria are substrings, any case). */
export interface TrackingSearch {
  mid?: number;
  sender?: string;
  recipient?: string;
  subject?: string;
  since?: number;
  until?: number;
}

/** A message as the web's Message Tracking lists it. */
export interface TrackingRow extends TrackedMessage {
  /** the last Threat Defense Connector tracking line of its journal copies (its own, for a copy); '' for none */
  tdc: string;
}

/** A message's details: its row, its tracking sentences and its TDC lines. */
export interface TrackingDetails extends TrackingRow {
  sentences: { at: number; text: string; tdc: boolean }[];
  /** every TDC tracking line of its journal copies (its own, for a copy), in the tracking timestamp form */
  tdcLines: string[];
}

/** The most results a search shows, newest first. */
export const TRACKING_LIMIT = 100;
const literal = (text: string) => new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i');

/**
 * The messages that match a search, newest first (at most 100), from the appliance's message
 * tracking index. Received messages and their split parts are listed; a journal copy is found
 * by its MID (the one its TDC line names). The one place the web's Message Tracking asks.
 */
export async function searchTracking(appliance: Appliance, search: TrackingSearch): Promise<TrackingRow[]> {
  const criteria: TrackingCriteria = { since: search.since, until: search.until, received: search.mid === undefined };
  if (search.mid !== undefined) criteria.mid = search.mid;
  if (search.sender) criteria.from = literal(search.sender);
  if (search.recipient) criteria.to = literal(search.recipient);
  if (search.subject) criteria.subject = literal(search.subject);
  const tracking = await trackingOf(appliance);
  const found = await tracking.search(criteria, TRACKING_LIMIT);
  const tdc = await tracking.lastTdcLines(found);
  return found.map((m, i) => ({ ...m, tdc: tdc[i]! }));
}

/** One MID's details, or null when tracking does not know it. */
export async function trackingDetails(appliance: Appliance, mid: number): Promise<TrackingDetails | null> {
  const tracking = await trackingOf(appliance);
  const [m] = await tracking.search({ mid });
  if (!m) return null;
  const { sentences, tdc } = await tracking.events(mid);
  return { ...m, tdc: tdc.at(-1) ?? '', sentences, tdcLines: tdc };
}
