import { appendFile, appendFileSync, closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDir } from './home.js';
import type { MailEvent } from './mail/mail-events.js';

const CURRENT = 'events.jsonl';

/** Events about a message or a connection (the rest, about the appliance, are mail_logs' only). */
export function isTracked(e: MailEvent): boolean {
  return 'mid' in e || 'icid' in e || 'dcid' in e;
}

/**
 * Message tracking on disk (`<home>/tracking/events.jsonl` and its rotations): every mail event
 * about a message or a connection, one JSON line each, append-only. Lines are batched and
 * appended a few times a second without fsync, off the event loop; a crash may lose the last
 * fraction of a second of tracking, never a message. It has its own rotation, so it outlives
 * mail_logs' and the appliance's restarts.
 */
export class TrackingStore {
  readonly #dir: string;
  readonly #file: string;
  #buffer: string[] = [];
  #timer: NodeJS.Timeout | null = null;
  #size: number;
  /** appends run one after the other */
  #chain: Promise<void> = Promise.resolve();

  constructor(
    dir: string,
    private readonly maxBytes = 32 * 1024 * 1024,
    private readonly keep = 20,
  ) {
    this.#dir = ensureDir(dir);
    this.#file = join(dir, CURRENT);
    this.#size = existsSync(this.#file) ? statSync(this.#file).size : 0;
    // a line torn by a crash is ended, so that the next one starts clean (the reader skips it)
    if (this.#size > 0 && lastByte(this.#file) !== 0x0a) {
      appendFileSync(this.#file, '\n');
      this.#size++;
    }
  }

  record(e: MailEvent): void {
    if (!isTracked(e)) return;
    this.#buffer.push(JSON.stringify(e));
    if (!this.#timer) {
      this.#timer = setTimeout(() => void this.flush(), 100);
      this.#timer.unref();
    }
  }

  /** Appends what is buffered; resolves once it is in the file. */
  flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#buffer.length > 0) {
      const text = `${this.#buffer.join('\n')}\n`;
      this.#buffer = [];
      this.#chain = this.#chain.then(
        () =>
          new Promise<void>((resolve) => {
            appendFile(this.#file, text, () => {
              // a failed append loses tracking, never mail: the engine goes on
              this.#size += Buffer.byteLength(text);
              if (this.#size >= this.maxBytes) this.#rotate();
              resolve();
            });
          }),
      );
    }
    return this.#chain;
  }

  /** Writes what is buffered now (at stop). */
  async close(): Promise<void> {
    await this.flush();
  }

  #rotate(): void {
    for (let i = this.keep - 1; i >= 1; i--) {
      const from = join(this.#dir, `${CURRENT}.${i}`);
      if (existsSync(from)) renameSync(from, join(this.#dir, `${CURRENT}.${i + 1}`));
    }
    renameSync(this.#file, join(this.#dir, `${CURRENT}.1`));
    this.#size = 0;
  }
}

function lastByte(file: string): number {
  const fd = openSync(file, 'r');
  try {
    const b = Buffer.alloc(1);
    readSync(fd, b, 0, 1, statSync(file).size - 1);
    return b[0]!;
  } finally {
    closeSync(fd);
  }
}

/** Every tracked event, oldest first; `unreadable` counts lines that are not events (torn by a crash, edited by hand). */
export function readTracking(dir: string): { events: MailEvent[]; unreadable: number } {
  if (!existsSync(dir)) return { events: [], unreadable: 0 };
  const files = readdirSync(dir)
    .map((f) => ({ f, n: f === CURRENT ? 0 : f.startsWith(`${CURRENT}.`) ? Number(f.slice(CURRENT.length + 1)) : NaN }))
    .filter((x) => Number.isInteger(x.n))
    .sort((a, b) => b.n - a.n);
  const events: MailEvent[] = [];
  let unreadable = 0;
  for (const { f } of files) {
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      if (line === '') continue;
      try {
        const e = JSON.parse(line) as MailEvent;
        if (typeof e === 'object' && e !== null && typeof e.type === 'string' && typeof e.at === 'number') events.push(e);
        else unreadable++;
      } catch {
        unreadable++;
      }
    }
  }
  return { events, unreadable };
}
