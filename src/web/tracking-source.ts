import type { Appliance } from '../engine/appliance.js';
import type { MailEvent } from '../engine/mail/mail-events.js';
import { mailLogLines } from '../engine/mail/mail-log-lines.js';
import { findMessages, type TrackingQuery } from '../engine/message-tracking.js';
import { readTracking } from '../engine/tracking-store.js';

/** A Message Tracking search: every given criterion must hold (text criteria are substrings, any case). */
export interface TrackingSearch {
  mid?: number;
  sender?: string;
  recipient?: string;
  subject?: string;
  since?: number;
  until?: number;
}

/** A received message as the web's Message Tracking lists it. */
export interface TrackedMessage {
  mid: number;
  receivedAt: number;
  sender: string;
  recipients: string[];
  subject: string;
  messageId: string;
  /** its events (its connections' too), each with its mail_logs text */
  events: { at: number; text: string }[];
  /** its Threat Defense Connector tracking lines (its journal copies'), in the tracking timestamp form */
  tdc: string[];
}

const LIMIT = 100;
const literal = (text: string) => new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i');

/**
 * The received messages that match a search, newest first (at most 100), from the message
 * tracking store, as findevent reads it. The one place the web's Message Tracking asks.
 */
export function searchTracking(appliance: Appliance, search: TrackingSearch): TrackedMessage[] {
  const { events } = readTracking(appliance.paths.tracking);
  const queries: TrackingQuery[] = [];
  if (search.mid !== undefined) queries.push({ by: 'mid', mid: search.mid });
  if (search.sender) queries.push({ by: 'from', pattern: literal(search.sender) });
  if (search.recipient) queries.push({ by: 'to', pattern: literal(search.recipient) });
  if (search.subject) queries.push({ by: 'subject', pattern: literal(search.subject) });
  // received messages have a sender; journal copies (tracked with their originals) do not
  queries.push({ by: 'from', pattern: /(?:)/ });
  let found: ReturnType<typeof findMessages> | null = null;
  for (const q of queries) {
    const hits = findMessages(events, q, search.since, search.until);
    const mids = new Set(hits.map((m) => m.mid));
    found = found === null ? hits : found.filter((m) => mids.has(m.mid));
  }
  return (found ?? [])
    .slice(-LIMIT)
    .reverse()
    .map((m) => {
      const accepted = m.events.find((e): e is Extract<MailEvent, { type: 'accepted' }> => e.type === 'accepted');
      const started = m.events.find((e): e is Extract<MailEvent, { type: 'message.started' }> => e.type === 'message.started');
      return {
        mid: m.mid,
        receivedAt: (started ?? m.events[0])?.at ?? 0,
        sender: accepted?.from ?? started?.from ?? '',
        recipients: accepted?.rcpts.map((r) => r.address) ?? m.events.flatMap((e) => (e.type === 'recipient.accepted' ? [e.address] : [])),
        subject: accepted?.subject ?? '',
        messageId: accepted?.messageId ?? '',
        events: m.events.flatMap((e) => mailLogLines(e).map((text) => ({ at: e.at, text }))),
        tdc: m.tracking,
      };
    });
}
