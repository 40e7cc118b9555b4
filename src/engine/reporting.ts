import { TDC_QUEUE } from './config/model.js';
import { ErrorCodes, UserError } from '../errors.js';
import type { MailEvent } from './mail/mail-events.js';

/**
 * The counters of `mail_incoming_traffic_summary`, in the order the appliance lists them (the
 * report fixture of XSOAR's CiscoSMA integration). Those segsim has no engine or rule for (DKIM,
 * SPF, DMARC, graymail, AMP, URL filtering, SDR, S/MIME, content filters, mailbox remediation)
 * are counted nowhere and stay 0.
 */
export const INCOMING_SUMMARY_COUNTERS = [
  'failed_dkim',
  'total_graymail_recipients',
  'detected_spam',
  'malicious_url',
  'total_spoofed_emails',
  'verif_decrypt_success',
  'detected_virus',
  'threat_content_filter',
  'blocked_invalid_recipient',
  'blocked_sdr',
  'marketing_mail',
  'ims_spam_increment_over_case',
  'total_mailbox_auto_remediated_recipients',
  'detected_spam_certain',
  'detected_spam_suspect',
  'blocked_dmarc',
  'total_threat_recipients',
  'total_recipients',
  'verif_decrypt_fail',
  'detected_amp',
  'bulk_mail',
  'social_mail',
  'total_clean_recipients',
  'detected_virus_per_msg',
  'failed_spf',
  'blocked_reputation',
] as const;

/**
 * The counters of `mail_destination_domain_detail` (the swagger models of the AsyncOS 15 API,
 * kribsi/esa_python), per destination: a domain, or the.tdc.queue, which AsyncOS's delivery
 * queues treat as a destination of its own. `conn_last_tls_status` is a text, not a count, and is
 * not reproduced; DANE, AMP, viruses (segsim drops them before any destination) and content
 * filters stay 0.
 */
export const DESTINATION_COUNTERS = [
  'conn_dane_fail',
  'conn_dane_success',
  'conn_plain',
  'conn_tls_fail',
  'conn_tls_opt_fail',
  'conn_tls_opt_success',
  'conn_tls_success',
  'conn_tls_total',
  'delivered',
  'detected_amp',
  'detected_spam',
  'detected_virus',
  'encrypted_tls',
  'hard_bounces',
  'threat_content_filter',
  'total_clean_recipients',
  'total_recipients',
  'total_recipients_processed',
  'total_threat_recipients',
] as const;

export type IncomingCounter = (typeof INCOMING_SUMMARY_COUNTERS)[number];
export type DestinationCounter = (typeof DESTINATION_COUNTERS)[number];

/** What the hourly buckets count; the report counters are sums of these. */
const IN = { blockedReputation: 0, invalidRecipient: 1, spam: 2, virus: 3, virusMessages: 4, clean: 5 } as const;
const IN_SLOTS = 6;
const OUT = { delivered: 0, hardBounced: 1, spam: 2, tlsSuccess: 3, tlsFail: 4, tlsOptSuccess: 5, tlsOptFail: 6, plain: 7, encrypted: 8 } as const;
const OUT_SLOTS = 9;

interface Bucket {
  incoming: Float64Array;
  destinations: Map<string, Float64Array>;
}

/** A report's time range: [since, until) in appliance milliseconds, taken in whole hours (those that start in it). */
export interface ReportRange {
  since: number;
  until: number;
}

/** AsyncOS's reports take whole hours: so do the buckets (a month of reports is 720 of them) */
const HOUR = 3_600_000;

/**
 * The reporting data: what the mail events say happened, counted in buckets of an hour (the
 * finest a report's range can ask: AsyncOS takes whole hours). A report over a range sums the
 * buckets in it, so a request costs the hours it covers, not the events. It reads the same
 * events message tracking records, from its store at start and as they happen.
 */
export class ReportingCounts {
  /** hour -> bucket; `#hours` holds the same hours in ascending order, for a range's bisection */
  readonly #buckets = new Map<number, Bucket>();
  readonly #hours: number[] = [];
  /** recipients of a message not yet scanned (split parts take theirs from it) */
  readonly #recipients = new Map<number, number>();
  /** messages found to be spam, until they are finished */
  readonly #spam = new Set<number>();
  /** open delivery connections: their destination and whether TLS was negotiated, failed or never tried */
  readonly #connections = new Map<number, { queue: string; tls: 'none' | 'ok' | 'failed' }>();

  #bucket(at: number): Bucket {
    const hour = Math.floor(at / HOUR);
    let bucket = this.#buckets.get(hour);
    if (!bucket) {
      bucket = { incoming: new Float64Array(IN_SLOTS), destinations: new Map() };
      this.#buckets.set(hour, bucket);
      const list = this.#hours;
      // events come in time order: a new hour is the last but after a clock set by hand
      let i = list.length;
      while (i > 0 && list[i - 1]! > hour) i--;
      list.splice(i, 0, hour);
    }
    return bucket;
  }

  #incoming(at: number, slot: number, n: number): void {
    this.#bucket(at).incoming[slot]! += n;
  }

  #destination(at: number, queue: string, slot: number, n: number): void {
    const bucket = this.#bucket(at);
    let counts = bucket.destinations.get(queue);
    if (!counts) bucket.destinations.set(queue, (counts = new Float64Array(OUT_SLOTS)));
    counts[slot]! += n;
  }

  /** Takes one event (in the order they happened). */
  add(e: MailEvent): void {
    switch (e.type) {
      case 'icid.opened':
        // a host the HAT turns away: one blocked by reputation (AsyncOS estimates its recipients; segsim never sees them)
        if (e.access === 'REJECT' || e.access === 'TCPREFUSE') this.#incoming(e.at, IN.blockedReputation, 1);
        return;
      case 'recipient.rejected':
        this.#incoming(e.at, IN.invalidRecipient, 1);
        return;
      case 'accepted':
        this.#recipients.set(e.mid, e.rcpts.length);
        return;
      case 'split': {
        const taken = e.rids?.length ?? 0;
        this.#recipients.set(e.newMid, taken);
        const parent = this.#recipients.get(e.mid);
        if (parent !== undefined) this.#recipients.set(e.mid, Math.max(0, parent - taken));
        return;
      }
      case 'scanned': {
        const n = this.#recipients.get(e.mid) ?? 1;
        this.#recipients.delete(e.mid);
        if (e.antivirus === true) {
          this.#incoming(e.at, IN.virus, n);
          this.#incoming(e.at, IN.virusMessages, 1);
        } else if (e.antispam === true) {
          this.#incoming(e.at, IN.spam, n);
          this.#spam.add(e.mid);
        } else this.#incoming(e.at, IN.clean, n);
        return;
      }
      case 'finished':
        this.#recipients.delete(e.mid);
        this.#spam.delete(e.mid);
        return;
      case 'dcid.opened':
        this.#connections.set(e.dcid, { queue: e.queue, tls: 'none' });
        return;
      case 'tls.ok': {
        const c = this.#connections.get(e.dcid);
        if (!c) return;
        c.tls = 'ok';
        // the.tdc.queue requires TLS (the seed); segsim offers it to no other destination
        this.#destination(e.at, c.queue, c.queue === TDC_QUEUE ? OUT.tlsSuccess : OUT.tlsOptSuccess, 1);
        return;
      }
      case 'tls.failed': {
        const c = this.#connections.get(e.dcid);
        if (!c) return;
        c.tls = 'failed';
        this.#destination(e.at, c.queue, c.queue === TDC_QUEUE ? OUT.tlsFail : OUT.tlsOptFail, 1);
        return;
      }
      case 'dcid.closed': {
        const c = this.#connections.get(e.dcid);
        this.#connections.delete(e.dcid);
        // a connection that never tried TLS; one whose TLS failed is counted as that
        if (c?.tls === 'none') this.#destination(e.at, c.queue, OUT.plain, 1);
        return;
      }
      case 'delivered': {
        const n = e.rids.length;
        this.#destination(e.at, e.queue, OUT.delivered, n);
        if (this.#spam.has(e.mid)) this.#destination(e.at, e.queue, OUT.spam, n);
        if (this.#connections.get(e.dcid)?.tls === 'ok') this.#destination(e.at, e.queue, OUT.encrypted, n);
        return;
      }
      case 'bounced':
      case 'expired':
        this.#destination(e.at, e.queue, OUT.hardBounced, e.rids.length);
        return;
      default:
    }
  }

  /** The buckets of the hours that start in a range (a range is taken in whole hours). */
  *#inRange(range: ReportRange): Generator<Bucket> {
    const first = Math.ceil(range.since / HOUR);
    const end = Math.ceil(range.until / HOUR);
    const list = this.#hours;
    let [lo, hi] = [0, list.length];
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if (list[m]! < first) lo = m + 1;
      else hi = m;
    }
    for (let i = lo; i < list.length && list[i]! < end; i++) yield this.#buckets.get(list[i]!)!;
  }

  /** `mail_incoming_traffic_summary` over a range: every counter, in the appliance's order. */
  incomingSummary(range: ReportRange): [IncomingCounter, number][] {
    const sum = new Float64Array(IN_SLOTS);
    for (const b of this.#inRange(range)) for (let i = 0; i < IN_SLOTS; i++) sum[i]! += b.incoming[i]!;
    const threat = sum[IN.blockedReputation]! + sum[IN.invalidRecipient]! + sum[IN.spam]! + sum[IN.virus]!;
    const value: Partial<Record<IncomingCounter, number>> = {
      blocked_reputation: sum[IN.blockedReputation],
      blocked_invalid_recipient: sum[IN.invalidRecipient],
      detected_spam: sum[IN.spam],
      detected_spam_certain: sum[IN.spam],
      detected_virus: sum[IN.virus],
      detected_virus_per_msg: sum[IN.virusMessages],
      total_clean_recipients: sum[IN.clean],
      total_threat_recipients: threat,
      total_recipients: threat + sum[IN.clean]!,
    };
    return INCOMING_SUMMARY_COUNTERS.map((name) => [name, value[name] ?? 0]);
  }

  /** `mail_destination_domain_detail` over a range: each destination that had traffic in it, with every counter. */
  destinations(range: ReportRange): Map<string, Record<DestinationCounter, number>> {
    const sums = new Map<string, Float64Array>();
    for (const b of this.#inRange(range))
      for (const [queue, counts] of b.destinations) {
        let sum = sums.get(queue);
        if (!sum) sums.set(queue, (sum = new Float64Array(OUT_SLOTS)));
        for (let i = 0; i < OUT_SLOTS; i++) sum[i]! += counts[i]!;
      }
    const out = new Map<string, Record<DestinationCounter, number>>();
    for (const [queue, s] of sums) {
      const total = s[OUT.delivered]! + s[OUT.hardBounced]!;
      out.set(queue, {
        conn_dane_fail: 0,
        conn_dane_success: 0,
        conn_plain: s[OUT.plain]!,
        conn_tls_fail: s[OUT.tlsFail]!,
        conn_tls_opt_fail: s[OUT.tlsOptFail]!,
        conn_tls_opt_success: s[OUT.tlsOptSuccess]!,
        conn_tls_success: s[OUT.tlsSuccess]!,
        conn_tls_total: s[OUT.tlsSuccess]! + s[OUT.tlsOptSuccess]!,
        delivered: s[OUT.delivered]!,
        detected_amp: 0,
        detected_spam: s[OUT.spam]!,
        detected_virus: 0,
        encrypted_tls: s[OUT.encrypted]!,
        hard_bounces: s[OUT.hardBounced]!,
        threat_content_filter: 0,
        total_clean_recipients: total - s[OUT.spam]!,
        total_recipients: total,
        total_recipients_processed: total,
        total_threat_recipients: s[OUT.spam]!,
      });
    }
    return out;
  }
}

/** The reports segsim serves, each with its counters; the per-destination one names its entities. */
export const REPORTS = {
  mail_incoming_traffic_summary: { counters: INCOMING_SUMMARY_COUNTERS as readonly string[], entity: null },
  mail_destination_domain_detail: { counters: DESTINATION_COUNTERS as readonly string[], entity: 'domain' },
} as const;

export type ReportName = keyof typeof REPORTS;

export const isReport = (name: string): name is ReportName => Object.hasOwn(REPORTS, name);

/** How a per-destination report is ordered, cut and filtered (the API's orderBy/orderDir, top, offset/limit, filterBy/filterValue/filterOperator). */
export interface EntityQuery {
  orderBy?: string;
  orderDir?: 'asc' | 'desc';
  top?: number;
  offset?: number;
  limit?: number;
  filter?: { value: string; operator: 'begins_with' | 'is' };
}

/** A report's result: a summary's counters, or per counter its entities' values (ordered), and how many entities there are before offset/limit. */
export type ReportResult = { kind: 'summary'; counters: [string, number][] } | { kind: 'entities'; counters: [string, [string, number][]][]; totalCount: number };

/**
 * A report over a range, for one counter or all; the rules of ordering, top, paging and filters
 * are here, the API only parses and words. An unknown counter is refused (NOT_FOUND), a bad
 * ordering or filter too (INVALID_VALUE), naming what was wrong.
 */
export function runReport(counts: ReportingCounts, name: ReportName, range: ReportRange, counter: string | null, query: EntityQuery = {}): ReportResult {
  const report = REPORTS[name];
  if (counter !== null && !report.counters.includes(counter)) throw new UserError(`The report ${name} has no counter ${JSON.stringify(counter.slice(0, 64))}.`, ErrorCodes.notFound);
  const wanted = counter === null ? report.counters : [counter];
  if (query.orderBy !== undefined && !report.counters.includes(query.orderBy))
    throw new UserError(`orderBy ${JSON.stringify(query.orderBy.slice(0, 64))} is not a counter of ${name} (${report.counters.join(', ')}).`, ErrorCodes.invalidValue);
  if (report.entity === null) {
    if (query.filter) throw new UserError(`The report ${name} is a summary: it has no entity to filter by.`, ErrorCodes.invalidValue);
    const all = counts.incomingSummary(range);
    return { kind: 'summary', counters: all.filter(([c]) => wanted.includes(c)) };
  }
  const filter = query.filter;
  let rows = [...counts.destinations(range)].filter(([entity]) => {
    if (!filter) return true;
    const [e, v] = [entity.toLowerCase(), filter.value.toLowerCase()];
    return filter.operator === 'is' ? e === v : e.startsWith(v);
  });
  // by the counter asked for (else the one ordered by, else the recipients), the highest first unless asc; ties by name
  const by = (query.orderBy ?? counter ?? 'total_recipients') as DestinationCounter;
  const dir = query.orderDir === 'asc' ? 1 : -1;
  rows.sort(([a, x], [b, y]) => dir * (x[by] - y[by]) || a.localeCompare(b));
  if (query.top !== undefined) rows = rows.slice(0, query.top);
  const totalCount = rows.length;
  if (query.offset !== undefined || query.limit !== undefined) rows = rows.slice(query.offset ?? 0, (query.offset ?? 0) + (query.limit ?? rows.length));
  return { kind: 'entities', totalCount, counters: wanted.map((c) => [c, rows.map(([entity, values]) => [entity, values[c as DestinationCounter]] as [string, number])]) };
}
