import { appendFile, appendFileSync, close, closeSync, existsSync, fstatSync, openSync, read, readdirSync, readFileSync, readSync, renameSync, statSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureDir } from './home.js';
import type { MailEvent } from './mail/mail-events.js';

const CURRENT = 'events.jsonl';
/** A line's position: its file's generation times this, plus its offset in the file. */
const GEN = 2 ** 32;

/** Events about a message or a connection (the rest, about the appliance, are mail_logs' only). */
export function isTracked(e: MailEvent): boolean {
  return 'mid' in e || 'icid' in e || 'dcid' in e;
}

/**
 * Where a line of the store is: `generation * 2^32 + offset`. A generation is one file of the
 * store; it keeps its number when rotation renames the file (`events.jsonl` is the newest,
 * `events.jsonl.1` the one before, ...), so positions held in memory stay true.
 */
export type TrackingPosition = number;

/**
 * The store's files (oldest first) as generations, each open for reading with the size it had
 * when listed: opened at once, so that a rotation after the listing does not move what they read.
 */
export interface TrackingFile {
  gen: number;
  path: string;
  size: number;
  fd: number;
}

/** The rotated files of a store directory, by their number (0 = the current file). */
function storeFiles(dir: string): { n: number; path: string }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((f) => ({ n: f === CURRENT ? 0 : f.startsWith(`${CURRENT}.`) && /^\d+$/.test(f.slice(CURRENT.length + 1)) ? Number(f.slice(CURRENT.length + 1)) : NaN, path: join(dir, f) }))
    .filter((x) => Number.isInteger(x.n))
    .sort((a, b) => b.n - a.n);
}

/** The generation of the current file: the oldest rotated file is generation 0. */
const currentGeneration = (dir: string) => storeFiles(dir)[0]?.n ?? 0;

/**
 * Message tracking on disk (`<home>/tracking/events.jsonl` and its rotations): every mail event
 * about a message or a connection, one JSON line each, append-only. Lines are batched and
 * appended a few times a second without fsync, off the event loop; a crash may lose the last
 * fraction of a second of tracking, never a message. It has its own rotation, so it outlives
 * mail_logs' and the appliance's restarts. Each line's position is known when it is recorded
 * (rotation is decided then, not after the write), so an index can point at it.
 */
export class TrackingStore {
  readonly #dir: string;
  readonly #file: string;
  #buffer: string[] = [];
  #timer: NodeJS.Timeout | null = null;
  /** bytes of the current file, counting the lines still buffered */
  #size: number;
  #gen: number;
  /** appends, rotations and reads run one after the other */
  #chain: Promise<void> = Promise.resolve();
  /** the files as they were when the store opened, for the index built from them */
  readonly files: readonly TrackingFile[];
  /** told of each line recorded, with its position */
  onRecorded: ((e: MailEvent, at: TrackingPosition) => void) | null = null;

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
    this.#gen = currentGeneration(dir);
    this.files = listFiles(dir, this.#gen);
  }

  record(e: MailEvent): void {
    if (!isTracked(e)) return;
    const line = JSON.stringify(e);
    const at = this.#gen * GEN + this.#size;
    this.#buffer.push(line);
    this.#size += Buffer.byteLength(line) + 1;
    this.onRecorded?.(e, at);
    if (this.#size >= this.maxBytes) {
      void this.flush();
      this.#chain = this.#chain.then(() => this.#rotate());
      this.#gen++;
      this.#size = 0;
    } else if (!this.#timer) {
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
            // a failed append loses tracking, never mail: the engine goes on
            appendFile(this.#file, text, () => resolve());
          }),
      );
    }
    return this.#chain;
  }

  /** The lines at these positions (what is buffered written first), read between appends and rotations. */
  async read(at: readonly TrackingPosition[]): Promise<(MailEvent | null)[]> {
    await this.flush();
    const gen = this.#gen;
    let lines: (MailEvent | null)[] = [];
    this.#chain = this.#chain.then(async () => {
      lines = await readLines(this.#dir, gen, at);
    });
    await this.#chain;
    return lines;
  }

  /** Writes what is buffered now (at stop). */
  async close(): Promise<void> {
    await this.flush();
  }

  #rotate(): void {
    try {
      for (let i = this.keep - 1; i >= 1; i--) {
        const from = join(this.#dir, `${CURRENT}.${i}`);
        if (existsSync(from)) renameSync(from, join(this.#dir, `${CURRENT}.${i + 1}`));
      }
      renameSync(this.#file, join(this.#dir, `${CURRENT}.1`));
    } catch {
      // a rotation that failed leaves a longer current file; positions in it stay true
    }
  }
}

function listFiles(dir: string, gen: number): TrackingFile[] {
  return storeFiles(dir).flatMap(({ n, path }) => {
    try {
      const fd = openSync(path, 'r');
      return [{ gen: gen - n, path, size: fstatSync(fd).size, fd }];
    } catch {
      return [];
    }
  });
}

/** Closes the files of a listing (once they are read, or when they will not be). */
export function closeFiles(files: readonly TrackingFile[]): void {
  for (const f of files) close(f.fd, () => undefined);
}

const readAt = (fd: number, buf: Buffer, length: number, position: number) =>
  new Promise<number>((resolve, reject) => read(fd, buf, 0, length, position, (error, bytesRead) => (error ? reject(error) : resolve(bytesRead))));

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

/** An event parsed from a line, or null when the line is not one (torn by a crash, edited by hand). */
export function parseEvent(line: string): MailEvent | null {
  try {
    const e = JSON.parse(line) as MailEvent;
    return typeof e === 'object' && e !== null && typeof e.type === 'string' && typeof e.at === 'number' ? e : null;
  } catch {
    return null;
  }
}

/**
 * The events at these positions of a store whose current file has generation `gen`; null where
 * a line cannot be read (its file rotated away, the line torn).
 */
export async function readLines(dir: string, gen: number, at: readonly TrackingPosition[]): Promise<(MailEvent | null)[]> {
  const out: (MailEvent | null)[] = new Array<MailEvent | null>(at.length).fill(null);
  const byGen = new Map<number, number[]>();
  at.forEach((p, i) => {
    const g = Math.floor(p / GEN);
    byGen.set(g, [...(byGen.get(g) ?? []), i]);
  });
  for (const [g, indexes] of byGen) {
    const n = gen - g;
    let file: FileHandle;
    try {
      file = await open(join(dir, n === 0 ? CURRENT : `${CURRENT}.${n}`), 'r');
    } catch {
      continue;
    }
    try {
      // a message's events lie close together: one read of a block serves the lines within it
      let block = Buffer.alloc(0);
      let blockAt = 0;
      for (const i of indexes.sort((a, b) => at[a]! - at[b]!)) {
        const offset = at[i]! % GEN;
        let end = offset >= blockAt && offset < blockAt + block.length ? block.indexOf(0x0a, offset - blockAt) : -1;
        if (end < 0) {
          block = Buffer.alloc(BLOCK);
          block = block.subarray(0, (await file.read(block, 0, BLOCK, offset)).bytesRead);
          blockAt = offset;
          end = block.indexOf(0x0a);
        }
        out[i] = parseEvent(end >= 0 ? block.toString('utf8', offset - blockAt, end) : await lineAt(file, offset));
      }
    } finally {
      await file.close();
    }
  }
  return out;
}

const BLOCK = 64 * 1024;

/** A line longer than a block. */
async function lineAt(file: FileHandle, offset: number): Promise<string> {
  for (let size = 2048; ; size *= 4) {
    const buf = Buffer.alloc(size);
    const { bytesRead } = await file.read(buf, 0, size, offset);
    const end = buf.subarray(0, bytesRead).indexOf(0x0a);
    if (end >= 0) return buf.toString('utf8', 0, end);
    if (bytesRead < size) return buf.toString('utf8', 0, bytesRead);
  }
}

/**
 * Reads the given files (as listed when the store opened) line by line, oldest first, calling
 * `each` with every event and its position; a line that is not an event is counted. It reads a
 * megabyte at a time and yields to the event loop every few milliseconds, so that building an
 * index at start never stalls the appliance. It closes the files.
 */
export async function scanFiles(files: readonly TrackingFile[], each: (e: MailEvent, at: TrackingPosition) => void, stopped: () => boolean = () => false): Promise<{ unreadable: number }> {
  let unreadable = 0;
  let slice = performance.now();
  try {
    for (const file of files) {
      const chunk = Buffer.alloc(1024 * 1024);
      let carry = Buffer.alloc(0);
      let offset = 0; // of carry's first byte
      while (offset + carry.length < file.size && !stopped()) {
        const want = Math.min(chunk.length, file.size - offset - carry.length);
        const bytesRead = await readAt(file.fd, chunk, want, offset + carry.length);
        if (bytesRead === 0) break;
        const data = carry.length > 0 ? Buffer.concat([carry, chunk.subarray(0, bytesRead)]) : chunk.subarray(0, bytesRead);
        let start = 0;
        for (let nl = data.indexOf(0x0a); nl >= 0; nl = data.indexOf(0x0a, start)) {
          if (nl > start) {
            const e = parseEvent(data.toString('utf8', start, nl));
            if (e) each(e, file.gen * GEN + offset + start);
            else unreadable++;
          }
          start = nl + 1;
          if (performance.now() - slice > 8) {
            await new Promise((r) => setImmediate(r));
            slice = performance.now();
          }
        }
        offset += start;
        carry = Buffer.from(data.subarray(start));
      }
      // a last line without its newline (torn by a crash) is not an event
      if (carry.length > 0 && !stopped()) unreadable++;
    }
  } finally {
    closeFiles(files);
  }
  return { unreadable };
}

/** Every tracked event, oldest first; `unreadable` counts lines that are not events (torn by a crash, edited by hand). */
export function readTracking(dir: string): { events: MailEvent[]; unreadable: number } {
  const events: MailEvent[] = [];
  let unreadable = 0;
  for (const { path } of storeFiles(dir)) {
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      if (line === '') continue;
      const e = parseEvent(line);
      if (e) events.push(e);
      else unreadable++;
    }
  }
  return { events, unreadable };
}

/** The files of a store directory not opened for writing (a one-shot command with no appliance running). */
export function trackingFiles(dir: string): { files: TrackingFile[]; gen: number } {
  const gen = currentGeneration(dir);
  return { files: listFiles(dir, gen), gen };
}
