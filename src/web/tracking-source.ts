import { trackingLines } from '../commands/findevent.js';
import type { Appliance } from '../engine/appliance.js';
import { findEvents, LOG_FIELDS, readLog, type EventQuery, type LogEntry, type MessageEvents } from '../engine/log-search.js';

/** A Message Tracking search: every given criterion must hold (text criteria are substrings, any case). */
export interface TrackingSearch {
  mid?: number;
  sender?: string;
  recipient?: string;
  subject?: string;
  since?: number;
  until?: number;
}

/** A message as Message Tracking lists it, with its events and its Threat Defense Connector lines. */
export interface TrackedMessage {
  mid: number;
  receivedAt: number;
  sender: string;
  recipients: string[];
  subject: string;
  messageId: string;
  events: LogEntry[];
  /** the tracking lines of its journal copies (`TDC: Message N was successfully delivered ...`) */
  tdc: string[];
}

const LIMIT = 100;
const literal = (text: string) => new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i');
const fieldOf = (events: LogEntry[], field: keyof typeof LOG_FIELDS) => events.map((e) => LOG_FIELDS[field].exec(e.text)?.[1]).filter((v): v is string => v !== undefined);

/**
 * The messages received that match a search, newest first (at most 100). Today it reads
 * mail_logs as findevent does; it is the one place the web's Message Tracking asks, so that a
 * tracking store can take its place.
 */
export function searchTracking(appliance: Appliance, search: TrackingSearch): TrackedMessage[] {
  const entries = readLog(appliance.paths.logs);
  const queries: EventQuery[] = [];
  if (search.mid !== undefined) queries.push({ by: 'mid', mid: search.mid });
  if (search.sender) queries.push({ by: 'from', pattern: literal(search.sender) });
  if (search.recipient) queries.push({ by: 'to', pattern: literal(search.recipient) });
  if (search.subject) queries.push({ by: 'subject', pattern: literal(search.subject) });
  // received messages have a sender line; journal copies (found through their original) do not
  queries.push({ by: 'from', pattern: /.*/ });
  let found: MessageEvents[] | null = null;
  for (const q of queries) {
    const hits = findEvents(entries, q, search.since, search.until);
    found = found === null ? hits : found.filter((m) => hits.some((h) => h.mid === m.mid));
  }
  return (found ?? [])
    .slice(-LIMIT)
    .reverse()
    .map((m) => {
      const messageId = fieldOf(m.entries, 'messageId')[0] ?? '';
      const copies = messageId ? findEvents(entries, { by: 'messageId', pattern: new RegExp(`^${literal(messageId).source}$`) }).filter((c) => c.mid !== m.mid) : [];
      return {
        mid: m.mid,
        receivedAt: m.entries[0]?.at ?? 0,
        sender: fieldOf(m.entries, 'from')[0] ?? '',
        recipients: fieldOf(m.entries, 'to'),
        subject: fieldOf(m.entries, 'subject')[0] ?? '',
        messageId,
        events: m.entries,
        tdc: copies.flatMap(trackingLines),
      };
    });
}
