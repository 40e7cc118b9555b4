import { closeSync, existsSync, fsyncSync, linkSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
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
  size: number;
  queuedAt: number;
  attempts: number;
  softBounces: number;
  nextAttemptAt: number;
}

const fsyncWrite = (path: string, data: string | Buffer, sync: boolean) => {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeFileSync(fd, data);
    if (sync) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
};

/**
 * The spool on disk: message files, records of received messages, and delivery queue records.
 * A message is answered 250 only after its file and record are synced (saveReceived).
 */
export class Spool {
  readonly msgDir: string;
  readonly inDir: string;
  readonly queueDir: string;

  constructor(root: string) {
    this.msgDir = ensureDir(join(root, 'msg'));
    this.inDir = ensureDir(join(root, 'in'));
    this.queueDir = ensureDir(join(root, 'queue'));
  }

  messagePath(file: string): string {
    return join(this.msgDir, file);
  }

  /** Durable: the body and its record are synced to disk before this returns. */
  saveReceived(record: ReceivedRecord, body: Buffer): void {
    fsyncWrite(this.messagePath(`${record.mid}.eml`), body, true);
    fsyncWrite(join(this.inDir, `${record.mid}.json`), JSON.stringify(record), true);
  }

  updateReceived(record: ReceivedRecord): void {
    fsyncWrite(join(this.inDir, `${record.mid}.json`), JSON.stringify(record), true);
  }

  doneReceived(mid: number): void {
    rmSync(join(this.inDir, `${mid}.json`), { force: true });
  }

  /** A new message file (a journal copy), synced. */
  writeMessage(file: string, body: Buffer | string): void {
    fsyncWrite(this.messagePath(file), body, true);
  }

  /** Another name for an existing message file (a split message shares the body). */
  linkMessage(from: string, to: string): void {
    if (!existsSync(this.messagePath(to))) linkSync(this.messagePath(from), this.messagePath(to));
  }

  readMessage(file: string): Buffer {
    return readFileSync(this.messagePath(file));
  }

  removeMessage(file: string): void {
    rmSync(this.messagePath(file), { force: true });
  }

  static queueName(r: Pick<QueueRecord, 'mid' | 'destination'>): string {
    return `${r.mid}@${r.destination}.json`;
  }

  saveQueued(record: QueueRecord): void {
    fsyncWrite(join(this.queueDir, Spool.queueName(record)), JSON.stringify(record), false);
  }

  removeQueued(record: QueueRecord): void {
    rmSync(join(this.queueDir, Spool.queueName(record)), { force: true });
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
    return { received: read<ReceivedRecord>(this.inDir).sort((a, b) => a.mid - b.mid), queued: read<QueueRecord>(this.queueDir).sort((a, b) => a.mid - b.mid) };
  }
}
