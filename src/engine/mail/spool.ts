import { close, existsSync, fsync, open, readdirSync, readFileSync, rename, rmSync, unlink, write, writeFile } from 'node:fs';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { ensureDir } from '../home.js';

/** A message received and on disk, not yet through the work queue. */
export interface ReceivedRecord {
  mid: number;
  icid: number;
  from: string;
  rcpts: { rid: number; address: string }[];
  remoteIp: string;
  receivedAt: number;
  /** bytes of the body; a spool file whose body is shorter was torn by a crash before its 250 */
  size: number;
  messageId: string;
  subject: string;
}

/** One message's recipients for one destination, waiting for delivery. */
export interface QueueRecord {
  mid: number;
  /** the message file (a split keeps its parent's file) */
  file: string;
  kind: 'original' | 'journal';
  destination: string;
  from: string;
  rcpts: { rid: number; address: string }[];
  messageId: string;
  subject: string;
  /** header lines added at delivery (e.g. X-IronPort-RemoteIP) */
  addHeaders: string[];
  subjectPrefix: string;
  /** a journal copy is built from the original's file when it is sent */
  journal?: { originalMid: number; hostname: string; subject: string; messageId: string };
  size: number;
  queuedAt: number;
  attempts: number;
  softBounces: number;
  nextAttemptAt: number;
}

// callback fs, promisified: lighter per call than fs/promises' FileHandle objects
const openFile = promisify(open);
const writeBytes = promisify(write);
const syncFile = promisify(fsync);
const closeFile = promisify(close);
const renameFile = promisify(rename);
const writeWhole = promisify(writeFile);
const unlinkFile = promisify(unlink);

/** Bodies kept in memory at most (the rest are read from their files when needed). */
const BODY_CACHE_BYTES = 8 * 1024 * 1024;

/** Removes a file; one already gone is fine. */
async function remove(path: string): Promise<void> {
  await unlinkFile(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}

/** Writes a new file and syncs it; resolves once the bytes are on disk. */
async function writeSynced(path: string, data: Buffer): Promise<void> {
  const fd = await openFile(path, 'w');
  try {
    let done = 0;
    while (done < data.length) done += (await writeBytes(fd, data, done, data.length - done)).bytesWritten;
    await syncFile(fd);
  } finally {
    await closeFile(fd);
  }
}

/**
 * The spool on disk. Two kinds of file:
 * - `msg/<mid>.eml`: one line of JSON (the received record), then the message as received. It is
 *   written and synced before the 250, in one file so that one fsync covers both.
 * - `queue/<mid>.json`: the delivery records of that message (every policy split, destination and
 *   journal copy), written at once when the work queue is done with it and rewritten as records
 *   finish or wait for a retry.
 * A message file without a queue file has not been through the work queue yet. When the last
 * record finishes, the message file goes first, then its queue file. File operations run off the
 * event loop; the ones on one path run in order.
 */
export class Spool {
  readonly #msgDir: string;
  readonly #queueDir: string;
  readonly #chains = new Map<string, Promise<void>>();
  /** bodies of messages still in the spool, kept while they fit: the work queue and each delivery would read them again */
  readonly #bodies = new Map<string, Buffer>();
  #bodyBytes = 0;
  /** reports a failed background write (the engine logs it) */
  onError: (error: Error) => void = () => undefined;

  constructor(root: string) {
    this.#msgDir = ensureDir(join(root, 'msg'));
    this.#queueDir = ensureDir(join(root, 'queue'));
  }

  #messagePath(file: string): string {
    return join(this.#msgDir, file);
  }

  #queuePath(file: string): string {
    return join(this.#queueDir, `${basename(file, '.eml')}.json`);
  }

  /**
   * Runs file operations on one path one after the other. A durable operation's promise rejects
   * when it fails (the SMTP reply says so); the others report to onError and always resolve.
   */
  #serial(path: string, op: () => Promise<void>, durable = false): Promise<void> {
    const next = (this.#chains.get(path) ?? Promise.resolve()).then(op);
    const settled = next.catch((error: Error) => this.onError(error));
    this.#chains.set(path, settled);
    void settled.then(() => {
      if (this.#chains.get(path) === settled) this.#chains.delete(path);
    });
    return durable ? next : settled;
  }

  /** Durable: the record and the body are synced to disk when this resolves. */
  saveReceived(record: ReceivedRecord, body: Buffer): Promise<void> {
    const file = `${record.mid}.eml`;
    this.#remember(file, body);
    const path = this.#messagePath(file);
    return this.#serial(path, () => writeSynced(path, Buffer.concat([Buffer.from(`${JSON.stringify(record)}\n`), body])), true);
  }

  /** The message as received (without the record line). */
  readMessage(file: string): Buffer {
    const cached = this.#bodies.get(file);
    if (cached) return cached;
    const raw = readFileSync(this.#messagePath(file));
    return raw.subarray(raw.indexOf(0x0a) + 1);
  }

  #remember(file: string, body: Buffer): void {
    if (this.#bodyBytes + body.length > BODY_CACHE_BYTES) return;
    this.#bodies.set(file, body);
    this.#bodyBytes += body.length;
  }

  /** Stores the delivery records of one message file (all of them: the file is replaced). */
  saveQueue(file: string, records: QueueRecord[]): Promise<void> {
    const path = this.#queuePath(file);
    const data = JSON.stringify(records);
    // a replacement goes through a temporary name, so a crash leaves the old list or the new one
    return this.#serial(path, async () => {
      await writeWhole(`${path}.tmp`, data);
      await renameFile(`${path}.tmp`, path);
    });
  }

  /** Forgets a message: its file first, then its queue file (a queue file alone is ignored at start). */
  removeMessage(file: string): Promise<void> {
    const cached = this.#bodies.get(file);
    if (cached) {
      this.#bodies.delete(file);
      this.#bodyBytes -= cached.length;
    }
    const path = this.#messagePath(file);
    const queuePath = this.#queuePath(file);
    const gone = this.#serial(path, () => remove(path));
    return this.#serial(queuePath, () => gone.then(() => remove(queuePath)));
  }

  /** Waits for every background file operation (at stop). */
  async settle(): Promise<void> {
    while (this.#chains.size > 0) await Promise.all([...this.#chains.values()]);
  }

  /** Everything left by the previous run: messages not yet through the work queue, and queued records. */
  recover(): { received: ReceivedRecord[]; queued: QueueRecord[] } {
    for (const dir of [this.#queueDir, this.#msgDir]) {
      for (const f of readdirSync(dir)) if (f.endsWith('.tmp')) rmSync(join(dir, f), { force: true });
    }
    const received: ReceivedRecord[] = [];
    const queued: QueueRecord[] = [];
    for (const file of readdirSync(this.#msgDir).filter((f) => f.endsWith('.eml'))) {
      const records = this.#readQueue(file);
      if (records) {
        queued.push(...records);
        continue;
      }
      const raw = readFileSync(this.#messagePath(file));
      const newline = raw.indexOf(0x0a);
      let record: ReceivedRecord | null = null;
      try {
        record = JSON.parse(raw.subarray(0, newline).toString('utf8')) as ReceivedRecord;
      } catch {
        record = null;
      }
      // torn by a crash before it was synced: it was never answered 250
      if (newline < 0 || !record || raw.length - newline - 1 !== record.size) rmSync(this.#messagePath(file), { force: true });
      else received.push(record);
    }
    // a queue file whose message is gone was finished just before the stop
    for (const f of readdirSync(this.#queueDir)) {
      if (f.endsWith('.json') && !existsSync(this.#messagePath(`${basename(f, '.json')}.eml`))) rmSync(join(this.#queueDir, f), { force: true });
    }
    return { received: received.sort((a, b) => a.mid - b.mid), queued: queued.sort((a, b) => a.mid - b.mid) };
  }

  #readQueue(file: string): QueueRecord[] | null {
    const path = this.#queuePath(file);
    if (!existsSync(path)) return null;
    try {
      return JSON.parse(readFileSync(path, 'utf8')) as QueueRecord[];
    } catch {
      return null; // torn by a crash: the message goes through the work queue again
    }
  }
}
