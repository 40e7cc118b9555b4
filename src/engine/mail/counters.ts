import { closeSync, constants, fstatSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ZERO_COUNTERS, type MailCounters } from '../appliance-status.js';
import { keepAside, readJsonFile, type ProblemReport } from '../state-file.js';
import { jsonShape } from '../json-shape.js';
import { countersSchema, type CountersFile } from '../state-schema.js';
import { validateCounters } from '../state-schema.generated.js';

const COUNTERS_FILE = jsonShape<CountersFile>(countersSchema, validateCounters);

type RateKey = 'messagesReceived' | 'recipientsReceived' | 'softBouncedEvents' | 'hardBouncedRecipients' | 'deliveredRecipients';
/** a rate's column in a second's bucket */
const RATE_COLUMN: Partial<Record<keyof MailCounters, number>> = { messagesReceived: 0, recipientsReceived: 1, softBouncedEvents: 2, hardBouncedRecipients: 3, deliveredRecipients: 4 };
const RATE_COLUMNS = 5;
/** seconds of buckets kept, in a ring: more than the 15 minutes of the longest rate */
const RING_SECONDS = 1024;

/**
 * The appliance's mail counters: since start (uptime), for the lifetime (kept in the home
 * directory) and since the last `resetcounters`; plus per-second buckets for the hourly rates
 * of `status detail`.
 *
 * They move as EventCounters reads the mail events (event-counters.ts); nothing else adds to them.
 *
 * state/counters.json is saved with every write of mail_logs (MailLog.onWritten), when it changed:
 * a counter moves in the same step as the log line of its event, so after a crash the lifetime
 * counters hold exactly the events mail_logs shows, and every message answered 250 (whose lines
 * are written before the reply) is counted. Recomputing them from the logs instead would tie the
 * counters to the wording of log lines and could not see past the oldest rotation. A bad file is
 * kept aside, reported, and the counters start again from zero.
 */
export class MailCounterSet {
  readonly #file: string;
  readonly #uptime: MailCounters = { ...ZERO_COUNTERS };
  readonly #lifetimeBase: MailCounters;
  #atReset: MailCounters;
  lastReset: number | null;
  /** per-second buckets in a ring: the second each slot holds, and its counts (RATE_COLUMNS a slot) */
  readonly #bucketSecond = new Float64Array(RING_SECONDS).fill(-1);
  readonly #bucketCounts = new Float64Array(RING_SECONDS * RATE_COLUMNS);
  /** changed since the last save */
  #dirty = false;

  constructor(
    stateDir: string,
    private readonly now: () => number,
    private readonly report: ProblemReport,
  ) {
    this.#file = join(stateDir, 'counters.json');
    const read = readJsonFile(this.#file, COUNTERS_FILE);
    let stored = read.state === 'ok' ? read.value : null;
    let problem = read.state === 'bad' ? read.problem : null;
    const beyond = stored && (Object.keys(ZERO_COUNTERS) as (keyof MailCounters)[]).find((k) => (stored!.atReset[k] ?? 0) > (stored!.lifetime[k] ?? 0));
    if (beyond) {
      problem = `not valid: atReset.${beyond} is above lifetime.${beyond}`;
      stored = null;
    }
    this.#lifetimeBase = { ...ZERO_COUNTERS, ...stored?.lifetime };
    this.#atReset = { ...ZERO_COUNTERS, ...stored?.atReset };
    this.lastReset = stored?.lastReset ?? null;
    if (problem === null) return;
    report(`State file ${this.#file} is ${problem}; kept as ${keepAside(this.#file, now())}. The lifetime and reset counters start again from zero.`);
    this.#dirty = true;
    this.save();
  }

  /** Counts `n` of `key` at appliance time `at`; allocates nothing (it runs for every counted event). */
  add(key: keyof MailCounters, n: number, at: number): void {
    this.#uptime[key] += n;
    this.#dirty = true;
    const column = RATE_COLUMN[key];
    if (column === undefined) return;
    const second = Math.floor(at / 1000);
    const slot = second % RING_SECONDS;
    if (this.#bucketSecond[slot] !== second) {
      this.#bucketSecond[slot] = second;
      this.#bucketCounts.fill(0, slot * RATE_COLUMNS, (slot + 1) * RATE_COLUMNS);
    }
    this.#bucketCounts[slot * RATE_COLUMNS + column]! += n;
  }

  uptime(): MailCounters {
    return { ...this.#uptime };
  }

  lifetime(): MailCounters {
    return mapCounters((k) => this.#lifetimeBase[k] + this.#uptime[k]);
  }

  sinceReset(): MailCounters {
    const life = this.lifetime();
    return mapCounters((k) => life[k] - this.#atReset[k]);
  }

  reset(at: number): void {
    this.#atReset = this.lifetime();
    this.lastReset = at;
    this.#dirty = true;
    this.save();
  }

  /** Events per hour over the last 1, 5 and 15 minutes. */
  rate(key: RateKey | 'completedRecipients'): [number, number, number] {
    const nowSecond = Math.floor(this.now() / 1000);
    const columns = key === 'completedRecipients' ? [RATE_COLUMN.deliveredRecipients!, RATE_COLUMN.hardBouncedRecipients!] : [RATE_COLUMN[key]!];
    const sum = (minutes: number) => {
      let total = 0;
      for (let slot = 0; slot < RING_SECONDS; slot++) {
        const s = this.#bucketSecond[slot]!;
        if (s <= nowSecond - minutes * 60) continue;
        for (const column of columns) total += this.#bucketCounts[slot * RATE_COLUMNS + column]!;
      }
      return Math.round((total * 60) / minutes);
    };
    return [sum(1), sum(5), sum(15)];
  }

  /**
   * Saves the counters when they changed. It runs with every write of mail_logs, so it costs one
   * write on a file kept open, in place: a single write of a small file is whole or absent when
   * the process dies, and the text only grows (a shorter one is padded with spaces, which JSON
   * allows). A file that cannot be written is reported once and tried again at the next save.
   */
  save(): void {
    if (!this.#dirty) return;
    const json = JSON.stringify({ lifetime: this.lifetime(), atReset: this.#atReset, lastReset: this.lastReset });
    try {
      if (this.#fd === null) {
        this.#fd = openSync(this.#file, constants.O_RDWR | constants.O_CREAT, 0o600);
        this.#bytes = fstatSync(this.#fd).size;
      }
      const text = `${json.padEnd(this.#bytes - 1)}\n`;
      writeSync(this.#fd, text, 0);
      this.#bytes = Math.max(this.#bytes, text.length);
    } catch (error) {
      this.close();
      const message = (error as Error).message;
      if (this.#saveError !== message) this.report(`State file ${this.#file} cannot be written: ${message}. The counters are kept in memory and saved when it can be again.`);
      this.#saveError = message;
      return;
    }
    this.#dirty = false;
    this.#saveError = null;
  }

  /** Closes the file (at stop, after the last save). */
  close(): void {
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
  }

  #fd: number | null = null;
  /** the file's length: what is written never leaves an end of older, longer text */
  #bytes = 0;
  #saveError: string | null = null;
}

function mapCounters(f: (k: keyof MailCounters) => number): MailCounters {
  return Object.fromEntries((Object.keys(ZERO_COUNTERS) as (keyof MailCounters)[]).map((k) => [k, f(k)])) as unknown as MailCounters;
}
