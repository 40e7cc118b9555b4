import type { Appliance } from './appliance.js';
import type { MailEvent } from './mail/mail-events.js';
import { ReportingCounts } from './reporting.js';
import { copiesOf, TrackingIndex, type TrackedEntry, type TrackedKind, type TrackingCriteria } from './tracking-index.js';
import { tdcSentence, trackingLine, trackingSentences } from './tracking-sentences.js';
import { closeFiles, readLines, scanFiles, trackingFiles, TrackingStore, type TrackingFile, type TrackingPosition } from './tracking-store.js';

export type { TrackingCriteria } from './tracking-index.js';

/** One MID as Message Tracking lists it. */
export interface TrackedMessage {
  mid: number;
  kind: TrackedKind;
  /** when it was received (a part: split; a copy: enqueued) */
  receivedAt: number;
  sender: string;
  /** its own envelope recipients (a part's, not the other parts') */
  recipients: string[];
  subject: string;
  messageId: string;
  /** the MID a part was split from or a copy journaled from */
  parent: number | null;
  /** its journal copies' MIDs */
  copies: number[];
}

/** A message's events (its connections' too) and the TDC tracking lines of it or its copies. */
export interface TrackedEvents {
  events: MailEvent[];
  /** `16 Feb 2024 21:19:24 (GMT -06:00)  TDC: Message n was ...` */
  tdc: string[];
  /** each event's tracking sentences, in order, with an original's copies' TDC sentences among them */
  sentences: { at: number; text: string; tdc: boolean }[];
}

/**
 * Message tracking: the store on disk and its index in memory. A running appliance records every
 * event through it (the index follows as each line is recorded) and builds the index of what the
 * store already held once, at start, in slices that never stall the event loop; a search asks
 * the index, and reads from the store only the events of the messages it shows.
 */
export class MessageTracking {
  readonly #index = new TrackingIndex();
  /** the reports' counts, fed the same events as the index (reporting.ts) */
  readonly #reporting = new ReportingCounts();
  readonly #store: TrackingStore | null;
  readonly #dir: string;
  readonly #gen: number;
  readonly #files: readonly TrackingFile[];
  /** events recorded while the index of the store's earlier lines is built: added after them */
  #pending: [MailEvent, TrackingPosition][] | null = [];
  #loading: Promise<void> | null = null;
  #stopped = false;
  #unreadable = 0;

  private constructor(dir: string, store: TrackingStore | null) {
    this.#dir = dir;
    this.#store = store;
    const { files, gen } = store ? { files: store.files, gen: 0 } : trackingFiles(dir);
    this.#files = files;
    this.#gen = gen;
    if (store) {
      store.onRecorded = (e, at) => {
        if (this.#pending) this.#pending.push([e, at]);
        else this.#indexed(e, at);
      };
    }
  }

  /** The tracking a running appliance writes (`<home>/tracking`). Call start() to index what it holds. */
  static writer(dir: string, maxBytes?: number): MessageTracking {
    return new MessageTracking(dir, new TrackingStore(dir, maxBytes));
  }

  /** The tracking of a home no appliance runs on, indexed (a one-shot command). */
  static async reader(dir: string): Promise<MessageTracking> {
    const t = new MessageTracking(dir, null);
    await t.start();
    return t;
  }

  /** Indexes what the store held when it opened; resolves when done (searches wait for it). */
  start(): Promise<void> {
    this.#loading ??= scanFiles(
      this.#files,
      (e, at) => this.#indexed(e, at),
      () => this.#stopped,
    )
      .then(({ unreadable }) => {
        this.#unreadable = unreadable;
      })
      .finally(() => {
        // also when the store could not be read: what is recorded from now on is indexed
        for (const [e, at] of this.#pending ?? []) this.#indexed(e, at);
        this.#pending = null;
      });
    return this.#loading;
  }

  #indexed(e: MailEvent, at: TrackingPosition): void {
    this.#index.add(e, at);
    this.#reporting.add(e);
  }

  /** The reports' counts over everything the store holds (waits for the store's index). */
  async reporting(): Promise<ReportingCounts> {
    await this.start();
    return this.#reporting;
  }

  record(e: MailEvent): void {
    this.#store?.record(e);
  }

  /** Lines of the store that are not events (torn by a crash, edited by hand), skipped. */
  get unreadable(): number {
    return this.#unreadable;
  }

  /** MIDs indexed (every MID the store holds, once the index is built). */
  get size(): number {
    return this.#index.size;
  }

  #message(entry: TrackedEntry): TrackedMessage {
    return {
      mid: entry.mid,
      kind: entry.kind,
      receivedAt: entry.first * 1000,
      sender: entry.from,
      recipients: this.#index.recipients(entry),
      subject: entry.subject,
      messageId: entry.messageId,
      parent: entry.parent === 0 ? null : entry.parent,
      copies: copiesOf(entry),
    };
  }

  /** The MIDs that match, newest first, at most `limit`. */
  async search(criteria: TrackingCriteria, limit = Infinity): Promise<TrackedMessage[]> {
    await this.start();
    return this.#index.search(criteria, limit).map((e) => this.#message(e));
  }

  /**
   * A page of the MIDs that match, newest first, and how many match in all: a walk of the index's
   * entries in memory (never of the events), the page's messages made from the index alone.
   */
  async page(criteria: TrackingCriteria, offset: number, limit: number): Promise<{ total: number; messages: TrackedMessage[] }> {
    await this.start();
    const found = await this.#index.searchEvery(criteria);
    return { total: found.length, messages: found.slice(offset, offset + limit).map((e) => this.#message(e)) };
  }

  #positionsOf(mid: number): TrackingPosition[] {
    const entry = this.#index.get(mid);
    return entry ? this.#index.positions(entry) : [];
  }

  async #read(at: readonly TrackingPosition[]): Promise<MailEvent[]> {
    const sorted = [...new Set(at)].sort((a, b) => a - b);
    const events = this.#store ? await this.#store.read(sorted) : await readLines(this.#dir, this.#gen, sorted);
    return events.filter((e): e is MailEvent => e !== null);
  }

  /** The events of a MID within [since, until] (its connections' too), with its TDC lines (a copy's own, an original's copies'). */
  async events(mid: number, since = -Infinity, until = Infinity): Promise<TrackedEvents> {
    await this.start();
    const entry = this.#index.get(mid);
    if (!entry) return { events: [], tdc: [], sentences: [] };
    const events = (await this.#read(this.#index.positions(entry))).filter((e) => e.at >= since && e.at <= until);
    const copies = copiesOf(entry);
    const copyEvents = copies.length > 0 ? await this.#read(copies.flatMap((c) => this.#positionsOf(c))) : [];
    const tdc = (entry.kind === 'journal' ? events : copyEvents).flatMap((e) => trackingLine(e) ?? []);
    const recipientsOf = (m: number, rids: readonly number[]) => this.#index.recipientsOf(m, rids);
    const own = events.flatMap((e) => trackingSentences(e, recipientsOf).map((text) => ({ at: e.at, text, tdc: tdcSentence(e) === text })));
    const ofCopies = copyEvents.flatMap((e) => {
      const text = e.at >= since && e.at <= until ? tdcSentence(e) : null;
      return text === null ? [] : [{ at: e.at, text, tdc: true }];
    });
    // a stable sort: the copies' lines go after the original's own events of the same second
    const sentences = [...own, ...ofCopies].sort((a, b) => a.at - b.at);
    return { events, tdc, sentences };
  }

  /** The last TDC tracking line of each of these messages' journal copies ('' for none). */
  async lastTdcLines(messages: readonly TrackedMessage[]): Promise<string[]> {
    const copies = messages.map((m) => (m.kind === 'journal' ? [m.mid] : m.copies));
    const events = await this.#read(copies.flat().flatMap((c) => this.#positionsOf(c)));
    const last = new Map<number, string>();
    for (const e of events) {
      const line = trackingLine(e);
      if (line !== null && 'mid' in e) last.set(e.mid, line);
    }
    return copies.map(
      (mids) =>
        mids
          .map((c) => last.get(c) ?? '')
          .filter(Boolean)
          .at(-1) ?? '',
    );
  }

  /** Stops indexing and writes what is buffered. */
  async close(): Promise<void> {
    this.#stopped = true;
    if (!this.#loading) closeFiles(this.#files);
    await this.#loading?.catch(() => undefined);
    await this.#store?.close();
  }
}

/** The tracking of an appliance: the running engine's, else the home's store read now. */
export function trackingOf(appliance: Appliance): Promise<MessageTracking> {
  const live = appliance.live?.tracking;
  return live ? Promise.resolve(live) : MessageTracking.reader(appliance.paths.tracking);
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
