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
  /** the second (appliance time, whole seconds) of its first and last event: small integers, kept unboxed */
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
  /** its journal copies: a MID (most messages have one copy at most: no array), a list, or 0 */
  copies: number | number[];
  /** the first and last of its positions in the index's lists (its events and its connections' events) */
  head: number;
  tail: number;
}

/** Slots of a chunk of the position lists (a power of two). */
const CHUNK_BITS = 16;
const CHUNK = 1 << CHUNK_BITS;

/**
 * Store positions of many MIDs, as linked lists in chunks of typed arrays: 12 bytes a position,
 * no array per MID (an array grown by push holds 17 slots at first, 136 bytes), and growth that
 * neither copies nor leaves half of a doubled array empty.
 */
class PositionLists {
  readonly #pos: Float64Array[] = [];
  readonly #next: Int32Array[] = [];
  /** slot 0 is "none" */
  #used = 1;

  /** Appends a position after `tail` (0: a new list); returns its slot. */
  add(tail: number, at: TrackingPosition): number {
    const slot = this.#used++;
    const chunk = slot >>> CHUNK_BITS;
    if (chunk === this.#pos.length) {
      this.#pos.push(new Float64Array(CHUNK));
      this.#next.push(new Int32Array(CHUNK));
    }
    this.#pos[chunk]![slot & (CHUNK - 1)] = at;
    if (tail !== 0) this.#next[tail >>> CHUNK_BITS]![tail & (CHUNK - 1)] = slot;
    return slot;
  }

  list(head: number): TrackingPosition[] {
    const out: TrackingPosition[] = [];
    for (let slot = head; slot !== 0; slot = this.#next[slot >>> CHUNK_BITS]![slot & (CHUNK - 1)]!) out.push(this.#pos[slot >>> CHUNK_BITS]![slot & (CHUNK - 1)]!);
    return out;
  }
}

/** An entry's journal copies as a list. */
export function copiesOf(entry: TrackedEntry): number[] {
  return typeof entry.copies === 'number' ? (entry.copies === 0 ? [] : [entry.copies]) : entry.copies;
}

const second = (ms: number) => Math.floor(ms / 1000);

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
  /** by ascending MID, as the appliance issues them (found by bisection: no map of 100,000 entries) */
  readonly #ordered: TrackedEntry[] = [];
  /** MIDs that came after a higher one (an ID counter reset by hand): rare */
  readonly #late = new Map<number, TrackedEntry>();
  readonly #positions = new PositionLists();
  readonly #icids = new Map<number, OpenConnection>();
  readonly #dcids = new Map<number, OpenConnection>();
  /** senders, recipients and subjects repeat: one string each */
  readonly #strings = new Map<string, string>();
  /** a journal copy's recipient list: one per intake address */
  readonly #intakes = new Map<string, string[]>();

  get size(): number {
    return this.#ordered.length + this.#late.size;
  }

  #intern(s: string): string {
    const known = this.#strings.get(s);
    if (known !== undefined) return known;
    // addresses repeat; a lab's subjects may all differ: the map stops growing rather than hold them all
    if (this.#strings.size < 10_000) this.#strings.set(s, s);
    return s;
  }

  get(mid: number): TrackedEntry | undefined {
    const list = this.#ordered;
    let [lo, hi] = [0, list.length - 1];
    while (lo <= hi) {
      const m = (lo + hi) >> 1;
      const x = list[m]!.mid;
      if (x === mid) return list[m];
      if (x < mid) lo = m + 1;
      else hi = m - 1;
    }
    return this.#late.get(mid);
  }

  #entry(mid: number, at: number, kind: TrackedKind = 'received'): TrackedEntry {
    let entry = this.get(mid);
    if (!entry) {
      const t = second(at);
      entry = { mid, kind, first: t, last: t, parent: 0, from: '', subject: '', messageId: '', rcpts: [], rids: null, copies: 0, head: 0, tail: 0 };
      const last = this.#ordered.at(-1);
      if (!last || last.mid < mid) this.#ordered.push(entry);
      else this.#late.set(mid, entry);
    }
    return entry;
  }

  #push(entry: TrackedEntry, at: TrackingPosition): void {
    entry.tail = this.#positions.add(entry.tail, at);
    if (entry.head === 0) entry.head = entry.tail;
  }

  #join(c: OpenConnection | undefined, entry: TrackedEntry): void {
    // a pooled connection delivers thousands of messages: only the last one can be this one again
    if (!c || c.mids.at(-1) === entry.mid) return;
    c.mids.push(entry.mid);
    for (const at of c.at) this.#push(entry, at);
  }

  /** The store positions of a MID's events and its connections' events. */
  positions(entry: TrackedEntry): TrackingPosition[] {
    return this.#positions.list(entry.head);
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
    this.#push(entry, at);
    const t = second(e.at);
    if (t > entry.last) entry.last = t;
    switch (e.type) {
      case 'message.started':
        entry.from = this.#intern(e.from);
        this.#join(this.#icids.get(e.icid), entry);
        break;
      case 'recipient.accepted': {
        // exact-size arrays: the accepted event replaces this list with its own
        const rcpts = entry.rcpts.slice();
        rcpts[e.rid] = this.#intern(e.address);
        entry.rcpts = rcpts;
        break;
      }
      case 'accepted': {
        entry.from = this.#intern(e.from);
        entry.subject = this.#intern(e.subject);
        entry.messageId = e.messageId;
        const rcpts = new Array<string>(e.rcpts.reduce((n, r) => Math.max(n, r.rid + 1), 0));
        for (const r of e.rcpts) rcpts[r.rid] = this.#intern(r.address);
        entry.rcpts = rcpts;
        break;
      }
      case 'split': {
        const part = this.#entry(e.newMid, e.at, 'part');
        part.kind = 'part';
        part.parent = e.mid;
        part.from = entry.from;
        part.subject = entry.subject;
        part.messageId = entry.messageId;
        part.rcpts = entry.rcpts;
        this.#push(part, at);
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
        let rcpts = this.#intakes.get(e.intake);
        if (!rcpts) this.#intakes.set(e.intake, (rcpts = [e.intake]));
        entry.rcpts = rcpts;
        const original = this.get(e.originalMid);
        // the copy's Message-ID and subject are its original's: one string each
        entry.messageId = original?.messageId === e.messageId ? original.messageId : e.messageId;
        if (original) {
          entry.subject = original.subject;
          original.copies = original.copies === 0 ? e.mid : [...copiesOf(original), e.mid];
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
    for (const mid of c.mids) {
      const entry = this.get(mid);
      if (entry) this.#push(entry, at);
    }
  }

  /** The recipient addresses of a MID (a part's own, not its parent's others). */
  recipients(entry: TrackedEntry): string[] {
    return entry.rids === null ? entry.rcpts.filter((r) => r !== undefined) : entry.rids.flatMap((rid) => entry.rcpts[rid] ?? []);
  }

  /** The addresses of some RIDs of a MID (`RID n` for one the index does not know). */
  recipientsOf(mid: number, rids: readonly number[]): string[] {
    const rcpts = this.get(mid)?.rcpts ?? [];
    return rids.map((rid) => rcpts[rid] ?? `RID ${rid}`);
  }

  #matches(entry: TrackedEntry, c: TrackingCriteria): boolean {
    if (c.mid !== undefined && entry.mid !== c.mid) return false;
    if (c.received && entry.kind === 'journal') return false;
    if (c.since !== undefined && entry.last * 1000 + 999 < c.since) return false;
    if (c.until !== undefined && entry.first * 1000 > c.until) return false;
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

  /** The MIDs that match, newest (highest MID) first, at most `limit` of them. */
  search(c: TrackingCriteria, limit = Infinity): TrackedEntry[] {
    if (c.mid !== undefined) {
      const entry = this.get(c.mid);
      return entry && this.#matches(entry, c) ? [entry] : [];
    }
    const found: TrackedEntry[] = [];
    for (let i = this.#ordered.length - 1; i >= 0 && found.length < limit; i--) {
      const entry = this.#ordered[i]!;
      if (this.#matches(entry, c)) found.push(entry);
    }
    for (const entry of this.#late.values()) if (found.length < limit && this.#matches(entry, c)) found.push(entry);
    return found;
  }

  /**
   * Every match, newest first, as `search` finds them, walked in slices of at most `sliceMs` with
   * a turn of the event loop between them: a count over every message (the API's
   * `meta.totalCount` over 100,000 messages) would otherwise hold up mail for as long as it walks.
   * Messages indexed meanwhile are not in it.
   */
  async searchEvery(c: TrackingCriteria, sliceMs = 8): Promise<TrackedEntry[]> {
    if (c.mid !== undefined) return this.search(c);
    const found: TrackedEntry[] = [];
    let sliceStart = performance.now();
    for (let i = this.#ordered.length - 1; i >= 0; i--) {
      if (i % 1024 === 0 && performance.now() - sliceStart > sliceMs) {
        await new Promise((resolve) => setImmediate(resolve));
        sliceStart = performance.now();
      }
      const entry = this.#ordered[i];
      if (entry && this.#matches(entry, c)) found.push(entry);
    }
    for (const entry of this.#late.values()) if (this.#matches(entry, c)) found.push(entry);
    return found;
  }
}
