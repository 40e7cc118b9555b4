import type { MailEvent } from './mail/mail-events.js';
import { trackingLine } from './tracking-sentences.js';

export type TrackingQuery = { by: 'mid'; mid: number } | { by: 'messageId' | 'from' | 'to' | 'subject'; pattern: RegExp };

/** One message as message tracking shows it. */
export interface TrackedMessage {
  mid: number;
  /** its own events and those of its connections (ICID and DCID), in order */
  events: MailEvent[];
  /** its TDC tracking lines: its own (a journal copy's) or its journal copies' (an original's) */
  tracking: string[];
}

const midOf = (e: MailEvent): number | undefined => ('mid' in e ? e.mid : undefined);

/** The searchable values an event gives its message. */
function fields(e: MailEvent, by: Exclude<TrackingQuery['by'], 'mid'>): string[] {
  switch (by) {
    case 'messageId':
      return e.type === 'accepted' || e.type === 'journal.enqueued' ? [e.messageId] : [];
    case 'from':
      return e.type === 'message.started' ? [e.from] : [];
    case 'to':
      return e.type === 'recipient.accepted' ? [e.address] : [];
    case 'subject':
      return e.type === 'accepted' ? [e.subject] : [];
  }
}

/**
 * The messages of a set of originals: the originals, the parts split from them and their journal
 * copies (events come in order, so one pass finds children after their parents).
 */
export function familyOf(events: readonly MailEvent[], isOriginal: (mid: number) => boolean): Set<number> {
  const family = new Set<number>();
  for (const e of events) {
    if (e.type === 'accepted' && isOriginal(e.mid)) family.add(e.mid);
    else if (e.type === 'split' && family.has(e.mid)) family.add(e.newMid);
    else if (e.type === 'journal.enqueued' && family.has(e.originalMid)) family.add(e.mid);
  }
  return family;
}

/**
 * AsyncOS's findevent over the tracking store: the MIDs whose events match the query within
 * [since, until] (a message split from a match matches too), each with its events, its
 * connections' events and its TDC tracking lines.
 */
export function findMessages(events: readonly MailEvent[], query: TrackingQuery, since = -Infinity, until = Infinity): TrackedMessage[] {
  const inRange = events.filter((e) => e.at >= since && e.at <= until);
  const matching = new Set<number>();
  for (const e of inRange) {
    const mid = midOf(e);
    if (mid === undefined) continue;
    if (query.by === 'mid' ? mid === query.mid || (e.type === 'split' && e.newMid === query.mid) : fields(e, query.by).some((v) => query.pattern.test(v))) matching.add(query.by === 'mid' ? query.mid : mid);
    if (e.type === 'split' && query.by !== 'mid' && matching.has(e.mid)) matching.add(e.newMid);
  }
  const copies = new Map<number, number[]>();
  for (const e of events) if (e.type === 'journal.enqueued') copies.set(e.originalMid, [...(copies.get(e.originalMid) ?? []), e.mid]);
  return [...matching]
    .sort((a, b) => a - b)
    .map((mid) => {
      const mine = (e: MailEvent) => midOf(e) === mid || (e.type === 'split' && e.newMid === mid);
      const own = inRange.filter(mine);
      const icids = new Set(own.flatMap((e) => ('icid' in e ? [e.icid] : [])));
      const dcids = new Set(own.flatMap((e) => ('dcid' in e && e.dcid !== 0 ? [e.dcid] : [])));
      const linked = inRange.filter((e) => mine(e) || (midOf(e) === undefined && (('icid' in e && icids.has(e.icid)) || ('dcid' in e && dcids.has(e.dcid)))));
      const related = new Set([mid, ...(copies.get(mid) ?? [])]);
      const tracking = events.filter((e) => related.has(midOf(e) ?? -1)).flatMap((e) => trackingLine(e) ?? []);
      return { mid, events: linked, tracking };
    });
}
