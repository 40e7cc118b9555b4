import type { MailEvent } from './mail/mail-events.js';
import type { TrackingPosition } from './tracking-store.js';

/** What a tracked MID is: a received message, a part split from one (per policy), or a journal copy. */
export type TrackedKind = 'received' | 'part' | 'journal';

/**
 * One MID as the index holds it: what a search matches and a results list shows, and where its
 * events are in the store (its own and those of its connections), never the events themselves.
 */
export interface TrackedEntry {
  readonly mid: number;
  kind: TrackedKind;
  /** the time of its first and last event */
  first: number;
  last: number;
  /** the MID it was split from (a part) or journaled from (a copy); 0 for none */
  parent: number;
  /** the envelope sender ('' for a journal copy: its sender is the appliance's) */
  from: string;
  subject: string;
  messageId: string;
  /** the envelope recipients: all of a received message's, by RID ... */
  rcpts: string[];
  /** ... of which this MID has these RIDs (null: all of them); a part's are taken from its parent */
  rids: number[] | null;
  /** its journal copies */
  copies: number[] | null;
  /** the positions of its events and its connections' events, in the order recorded */
  at: TrackingPosition[];
}

/** What to find; every given criterion must hold. Patterns test the value, the time range overlaps the MID's events. */
export interface TrackingCriteria {
  mid?: number;
  messageId?: RegExp;
  from?: RegExp;
  to?: RegExp;
  subject?: RegExp;
  since?: number;
  until?: number;
  /** received messages and their parts only: a journal copy is found by its MID */
  received?: boolean;
}

interface OpenConnection {
  at: TrackingPosition[];
  mids: number[];
}

/**
 * The message tracking index: one small entry per MID (sender, recipients, subject, Message-ID,
 * times, and the store positions of its events), fed event by event as the store records them.
 * A search walks the entries newest first and stops at its limit; the events of the few MIDs
 * shown are then read from the store by position.
 */
export class TrackingIndex {
  readonly #byMid = new Map<number, TrackedEntry>();
  /** in the order MIDs first appeared: newest last */
  readonly #entries: TrackedEntry[] = [];
  readonly #icids = new Map<number, OpenConnection>();
  readonly #dcids = new Map<number, OpenConnection>();
  /** senders, recipients and subjects repeat: one string each */
  readonly #strings = new Map<string, string>();

  get size(): number {
    return this.#entries.length;
  }

  #intern(s: string): string {
    const known = this.#strings.get(s);
    if (known !== undefined) return known;
    if (this.#strings.size < 50_000) this.#strings.set(s, s);
    return s;
  }

  get(mid: number): TrackedEntry | undefined {
    return this.#byMid.get(mid);
  }

  #entry(mid: number, at: number, kind: TrackedKind = 'received'): TrackedEntry {
    let entry = this.#byMid.get(mid);
    if (!entry) {
      entry = { mid, kind, first: at, last: at, parent: 0, from: '', subject: '', messageId: '', rcpts: [], rids: null, copies: null, at: [] };
      this.#byMid.set(mid, entry);
      this.#entries.push(entry);
    }
    return entry;
  }

  #join(c: OpenConnection | undefined, entry: TrackedEntry): void {
    if (!c || c.mids.includes(entry.mid)) return;
    c.mids.push(entry.mid);
    entry.at.push(...c.at);
  }

  /** Takes one recorded event and its position in the store. */
  add(e: MailEvent, at: TrackingPosition): void {
    switch (e.type) {
      case 'icid.opened':
        this.#icids.set(e.icid, { at: [at], mids: [] });
        return;
      case 'icid.tls':
        this.#icids.get(e.icid)?.at.push(at);
        return;
      case 'icid.closed':
        this.#close(this.#icids, e.icid, at);
        return;
      case 'dcid.opened':
        this.#dcids.set(e.dcid, { at: [at], mids: [] });
        return;
      case 'tls.ok':
        this.#dcids.get(e.dcid)?.at.push(at);
        return;
      case 'dcid.closed':
        this.#close(this.#dcids, e.dcid, at);
        return;
      default:
    }
    if (!('mid' in e)) return;
    const entry = this.#entry(e.mid, e.at);
    entry.at.push(at);
    if (e.at > entry.last) entry.last = e.at;
    switch (e.type) {
      case 'message.started':
        entry.from = this.#intern(e.from);
        this.#join(this.#icids.get(e.icid), entry);
        break;
      case 'recipient.accepted':
        entry.rcpts[e.rid] = this.#intern(e.address);
        break;
      case 'accepted':
        entry.from = this.#intern(e.from);
        entry.subject = this.#intern(e.subject);
        entry.messageId = e.messageId;
        for (const r of e.rcpts) entry.rcpts[r.rid] = this.#intern(r.address);
        break;
      case 'split': {
        const part = this.#entry(e.newMid, e.at, 'part');
        part.kind = 'part';
        part.parent = e.mid;
        part.from = entry.from;
        part.subject = entry.subject;
        part.messageId = entry.messageId;
        part.rcpts = entry.rcpts;
        part.at.push(at);
        if (e.rids) {
          part.rids = e.rids;
          const taken = new Set(e.rids);
          entry.rids = (entry.rids ?? entry.rcpts.map((_, rid) => rid)).filter((rid) => !taken.has(rid));
        }
        break;
      }
      case 'journal.enqueued': {
        entry.kind = 'journal';
        entry.parent = e.originalMid;
        entry.messageId = e.messageId;
        entry.rcpts = [this.#intern(e.intake)];
        const original = this.#byMid.get(e.originalMid);
        if (original) {
          entry.subject = original.subject;
          (original.copies ??= []).push(e.mid);
        }
        break;
      }
      case 'delivery.started':
        this.#join(this.#dcids.get(e.dcid), entry);
        break;
      default:
    }
  }

  #close(open: Map<number, OpenConnection>, id: number, at: TrackingPosition): void {
    const c = open.get(id);
    if (!c) return;
    open.delete(id);
    for (const mid of c.mids) this.#byMid.get(mid)?.at.push(at);
  }

  /** The recipient addresses of a MID (a part's own, not its parent's others). */
  recipients(entry: TrackedEntry): string[] {
    return entry.rids === null ? entry.rcpts.filter((r) => r !== undefined) : entry.rids.flatMap((rid) => entry.rcpts[rid] ?? []);
  }

  /** The addresses of some RIDs of a MID (`RID n` for one the index does not know). */
  recipientsOf(mid: number, rids: readonly number[]): string[] {
    const rcpts = this.#byMid.get(mid)?.rcpts ?? [];
    return rids.map((rid) => rcpts[rid] ?? `RID ${rid}`);
  }

  #matches(entry: TrackedEntry, c: TrackingCriteria): boolean {
    if (c.mid !== undefined && entry.mid !== c.mid) return false;
    if (c.received && entry.kind === 'journal') return false;
    if (c.since !== undefined && entry.last < c.since) return false;
    if (c.until !== undefined && entry.first > c.until) return false;
    if (c.messageId && !c.messageId.test(entry.messageId)) return false;
    // a journal copy's sender and subject are not the message's: only its MID, Message-ID and intake address find it
    if (c.from && (entry.kind === 'journal' || !entry.from || !c.from.test(entry.from))) return false;
    if (c.subject && (entry.kind === 'journal' || !c.subject.test(entry.subject))) return false;
    if (c.to) {
      const to = c.to;
      if (!this.recipients(entry).some((r) => to.test(r))) return false;
    }
    return true;
  }

  /** The MIDs that match, newest first, at most `limit` of them. */
  search(c: TrackingCriteria, limit = Infinity): TrackedEntry[] {
    if (c.mid !== undefined) {
      const entry = this.#byMid.get(c.mid);
      return entry && this.#matches(entry, c) ? [entry] : [];
    }
    const found: TrackedEntry[] = [];
    for (let i = this.#entries.length - 1; i >= 0 && found.length < limit; i--) {
      const entry = this.#entries[i]!;
      if (this.#matches(entry, c)) found.push(entry);
    }
    return found;
  }
}
