import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { open, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureDir } from '../home.js';

/** A message received and on disk, not yet through the work queue. */
export interface ReceivedRecord {
  mid: number;
  icid: number;
  from: string;
  rcpts: { rid: number; address: string }[];
  remoteIp: string;
  receivedAt: number;
  size: number;
  messageId: string;
  subject: string;
  /** the work queue's decisions, written before they are carried out (crash recovery) */
  plan?: unknown;
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

/** Removes a file; one already gone is fine. (unlink, not rm: rm walks the path synchronously.) */
async function remove(path: string): Promise<void> {
  await unlink(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}

/** Writes through a temporary name; with `sync`, the data is on disk before the rename. */
async function writeAtomic(path: string, data: string | Buffer, sync: boolean): Promise<void> {
  const tmp = `${path}.tmp`;
  if (sync) {
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
  } else await writeFile(tmp, data);
  await rename(tmp, path);
}

/**
 * The spool on disk: message files, records of received messages, and delivery queue records.
 * A message is answered 250 only after its file and record are synced (saveReceived). File
 * operations run off the event loop; the ones on one path run in order.
 */
export class Spool {
  readonly msgDir: string;
  readonly inDir: string;
  readonly queueDir: string;
  readonly #chains = new Map<string, Promise<void>>();
  /** reports a failed background write (the engine logs it) */
  onError: (error: Error) => void = () => undefined;

  constructor(root: string) {
    this.msgDir = ensureDir(join(root, 'msg'));
    this.inDir = ensureDir(join(root, 'in'));
    this.queueDir = ensureDir(join(root, 'queue'));
  }

  messagePath(file: string): string {
    return join(this.msgDir, file);
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

  /** Durable: the body and its record are synced to disk when this resolves. */
  async saveReceived(record: ReceivedRecord, body: Buffer): Promise<void> {
    await Promise.all([
      this.#serial(this.messagePath(`${record.mid}.eml`), () => writeAtomic(this.messagePath(`${record.mid}.eml`), body, true), true),
      this.#serial(join(this.inDir, `${record.mid}.json`), () => writeAtomic(join(this.inDir, `${record.mid}.json`), JSON.stringify(record), true), true),
    ]);
  }

  /** The work queue's plan; not synced: a crash before it lands only means planning again. */
  updateReceived(record: ReceivedRecord): Promise<void> {
    const path = join(this.inDir, `${record.mid}.json`);
    return this.#serial(path, () => writeAtomic(path, JSON.stringify(record), false));
  }

  doneReceived(mid: number): Promise<void> {
    const path = join(this.inDir, `${mid}.json`);
    return this.#serial(path, () => remove(path));
  }

  readMessage(file: string): Buffer {
    return readFileSync(this.messagePath(file));
  }

  removeMessage(file: string): Promise<void> {
    const path = this.messagePath(file);
    return this.#serial(path, () => remove(path));
  }

  static queueName(r: Pick<QueueRecord, 'mid' | 'destination'>): string {
    return `${r.mid}@${r.destination}.json`;
  }

  saveQueued(record: QueueRecord): Promise<void> {
    const path = join(this.queueDir, Spool.queueName(record));
    const data = JSON.stringify(record);
    return this.#serial(path, () => writeAtomic(path, data, false));
  }

  removeQueued(record: QueueRecord): Promise<void> {
    const path = join(this.queueDir, Spool.queueName(record));
    return this.#serial(path, () => remove(path));
  }

  /** Waits for every background file operation (at stop). */
  async settle(): Promise<void> {
    while (this.#chains.size > 0) await Promise.all([...this.#chains.values()]);
  }

  /** Everything left by the previous run: received records and queue records. */
  recover(): { received: ReceivedRecord[]; queued: QueueRecord[] } {
    const read = <T>(dir: string) =>
      readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .flatMap((f) => {
          try {
            return [JSON.parse(readFileSync(join(dir, f), 'utf8')) as T];
          } catch {
            return []; // a record torn by a crash before its rename; its message is still in 'in'
          }
        });
    for (const dir of [this.inDir, this.queueDir, this.msgDir]) {
      for (const f of readdirSync(dir)) if (f.endsWith('.tmp')) rmSync(join(dir, f), { force: true });
    }
    const queued = read<QueueRecord>(this.queueDir).filter((q) => existsSync(this.messagePath(q.file)));
    return { received: read<ReceivedRecord>(this.inDir).sort((a, b) => a.mid - b.mid), queued: queued.sort((a, b) => a.mid - b.mid) };
  }
}
