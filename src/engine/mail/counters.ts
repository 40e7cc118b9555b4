import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ZERO_COUNTERS, type MailCounters } from '../appliance-status.js';

type RateKey = 'messagesReceived' | 'recipientsReceived' | 'softBouncedEvents' | 'hardBouncedRecipients' | 'deliveredRecipients';
const RATE_KEYS: RateKey[] = ['messagesReceived', 'recipientsReceived', 'softBouncedEvents', 'hardBouncedRecipients', 'deliveredRecipients'];

/**
 * The appliance's mail counters: since start (uptime), for the lifetime (kept in the home
 * directory) and since the last `resetcounters`; plus per-second buckets for the hourly rates
 * of `status detail`.
 */
export class MailCounterSet {
  readonly #file: string;
  readonly #uptime: MailCounters = { ...ZERO_COUNTERS };
  readonly #lifetimeBase: MailCounters;
  #atReset: MailCounters;
  lastReset: number | null;
  readonly #buckets = new Map<number, Partial<Record<RateKey, number>>>();

  constructor(stateDir: string, private readonly now: () => number) {
    this.#file = join(stateDir, 'counters.json');
    const stored = existsSync(this.#file) ? (JSON.parse(readFileSync(this.#file, 'utf8')) as { lifetime: MailCounters; atReset: MailCounters; lastReset: number | null }) : null;
    this.#lifetimeBase = { ...ZERO_COUNTERS, ...stored?.lifetime };
    this.#atReset = { ...ZERO_COUNTERS, ...stored?.atReset };
    this.lastReset = stored?.lastReset ?? null;
  }

  add(key: keyof MailCounters, n = 1): void {
    this.#uptime[key] += n;
    if ((RATE_KEYS as string[]).includes(key)) {
      const second = Math.floor(this.now() / 1000);
      const bucket = this.#buckets.get(second) ?? {};
      bucket[key as RateKey] = (bucket[key as RateKey] ?? 0) + n;
      this.#buckets.set(second, bucket);
    }
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

  reset(): void {
    this.#atReset = this.lifetime();
    this.lastReset = this.now();
    this.save();
  }

  /** Events per hour over the last 1, 5 and 15 minutes. */
  rate(key: RateKey | 'completedRecipients'): [number, number, number] {
    const nowSecond = Math.floor(this.now() / 1000);
    for (const s of this.#buckets.keys()) if (s < nowSecond - 900) this.#buckets.delete(s);
    const sum = (minutes: number) => {
      let total = 0;
      for (const [s, b] of this.#buckets) {
        if (s <= nowSecond - minutes * 60) continue;
        total += key === 'completedRecipients' ? (b.deliveredRecipients ?? 0) + (b.hardBouncedRecipients ?? 0) : (b[key] ?? 0);
      }
      return Math.round((total * 60) / minutes);
    };
    return [sum(1), sum(5), sum(15)];
  }

  save(): void {
    const tmp = `${this.#file}.tmp`;
    writeFileSync(tmp, JSON.stringify({ lifetime: this.lifetime(), atReset: this.#atReset, lastReset: this.lastReset }));
    renameSync(tmp, this.#file);
  }
}

function mapCounters(f: (k: keyof MailCounters) => number): MailCounters {
  return Object.fromEntries((Object.keys(ZERO_COUNTERS) as (keyof MailCounters)[]).map((k) => [k, f(k)])) as unknown as MailCounters;
}
