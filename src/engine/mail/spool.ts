import {
  close,
  closeSync,
  existsSync,
  fsync,
  fsyncSync,
  open,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rename,
  renameSync,
  rmSync,
  statSync,
  unlink,
  write,
  writeFile,
  writeSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { ensureDir } from '../home.js';
import { parseJson } from '../state-file.js';
import { jsonShape } from '../json-shape.js';
import { queueFileSchema, receivedRecordSchema, type QueueRecord, type ReceivedRecord } from '../state-schema.js';
import { validateQueueFile, validateReceivedRecord } from '../state-schema.generated.js';
import { LOG_FILE_BYTES, LOG_SPILL_MS, readLogFiles, SpoolLog } from './spool-log.js';

/** A message received and on disk, not yet through the work queue. */
export type { QueueRecord, ReceivedRecord };

const QUEUE_FILE = jsonShape<QueueRecord[]>(queueFileSchema, validateQueueFile);
const RECEIVED_RECORD = jsonShape<ReceivedRecord>(receivedRecordSchema, validateReceivedRecord);

// callback fs, promisified: lighter per call than fs/promises' FileHandle objects
const openFile = promisify(open);
const writeBytes = promisify(write);
const syncFile = promisify(fsync);
const closeFile = promisify(close);
const renameFile = promisify(rename);
const writeWhole = promisify(writeFile);
const unlinkFile = promisify(unlink);

/**
 * A queue record with its properties in one fixed order. Records made by spreading another
 * object each got a hidden class (V8 map) of their own: about 440 bytes apiece, more than the
 * record itself, in a long queue (a heap snapshot of 20,000 queued messages showed 19,987 maps).
 */
export function queueRecord(r: QueueRecord): QueueRecord {
  return {
    mid: r.mid,
    file: r.file,
    kind: r.kind,
    destination: r.destination,
    from: r.from,
    rcpts: r.rcpts,
    messageId: r.messageId,
    subject: r.subject,
    addHeaders: r.addHeaders,
    subjectPrefix: r.subjectPrefix,
    journal: r.journal,
    size: r.size,
    queuedAt: r.queuedAt,
    attempts: r.attempts,
    softBounces: r.softBounces,
    nextAttemptAt: r.nextAttemptAt,
  };
}

/** Message files written from the log at the same time, at most. */
const SPILLS_AT_ONCE = 16;

/** Bodies kept in memory at most (the rest are read from their files when needed). */
const BODY_CACHE_BYTES = 8 * 1024 * 1024;

/**
 * A new queue file is written this long after the work queue is done with its message. Most mail
 * is delivered sooner, and then its queue file is never written nor removed: a relayed message
 * costs one file, not two. Nothing is at stake meanwhile: until a record finishes or waits for a
 * retry, the message file (synced before the 250) says all the queue file would, and after a
 * crash the message goes through the work queue again. Progress (a record done, a retry time) is
 * written at once, as before.
 */
export const QUEUE_FILE_DELAY_MS = 1000;

/** Removes a file; one already gone is fine. */
async function remove(path: string): Promise<void> {
  await unlinkFile(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}

/**
 * Writes a new file and syncs it; resolves once the bytes are on disk. A write that fails (a full
 * disk) removes the file: what is left of it is empty or short, and would lie on disk until a
 * restart while `status` counts nothing for it.
 */
async function writeSynced(path: string, data: Buffer): Promise<void> {
  const fd = await openFile(path, 'w');
  try {
    let done = 0;
    while (done < data.length) done += (await writeBytes(fd, data, done, data.length - done)).bytesWritten;
    await syncFile(fd);
  } catch (error) {
    await remove(path).catch(() => undefined);
    throw error;
  } finally {
    await closeFile(fd);
  }
}

/**
 * The spool on disk:
 * - `log/<n>.log`: where a message is written and synced before the 250, with the others received
 *   at the same time (one fsync for all of them; see SpoolLog).
 * - `msg/<mid>.eml`: one line of JSON (the received record), then the message as received: the
 *   message file of a message still in the spool LOG_SPILL_MS after its arrival (written from the
 *   log and synced), and of every message the previous run left.
 * - `queue/<mid>.json`: the delivery records of that message (every policy split, destination and
 *   journal copy), written QUEUE_FILE_DELAY_MS after the work queue is done with it (unless the
 *   message is gone by then) and at once whenever a record finishes or waits for a retry.
 * - `quarantine/`: messages recovery could not read whole (see recover).
 * A message file without a queue file has not been through the work queue yet. When the last
 * record finishes, the message file goes first, then its queue file. File operations run off the
 * event loop; the ones on one path run in order.
 */
export class Spool {
  readonly #msgDir: string;
  readonly #queueDir: string;
  /** acknowledged messages that cannot be read whole: kept for an operator, never delivered */
  readonly quarantineDir: string;
  readonly #log: SpoolLog;
  readonly #logDir: string;
  /** messages whose message file is being written from the log */
  readonly #spilling = new Set<number>();
  #spillTimer: NodeJS.Timeout | null = null;
  /** settling: every message in the log gets its file, due or not */
  #stopping = false;
  readonly #chains = new Map<string, Promise<void>>();
  /** bodies of messages still in the spool, kept while they fit: the work queue and each delivery would read them again */
  readonly #bodies = new Map<string, Buffer>();
  #bodyBytes = 0;
  /** bytes of each message file and queue file in the spool by MID (quarantine aside): `status` shows the sum as Kilobytes Used */
  readonly #messageBytes = new Map<number, number>();
  readonly #queueBytes = new Map<number, number>();
  #spoolBytes = 0;
  /** queue files waiting for their write by message file, oldest first (a rewrite keeps its place and its time) */
  readonly #pendingQueues = new Map<string, PendingQueueFile>();
  /** queue files being written, by message file: what they will hold (readQueue answers from it meanwhile) */
  readonly #unwritten = new Map<string, string>();
  /** the queue file read back last: a long queue reads the records of one file one after another */
  #lastRead: { file: string; records: QueueRecord[] } | null = null;
  #queueTimer: NodeJS.Timeout | null = null;
  /** reports a failed background write (the engine logs it) */
  onError: (error: Error) => void = () => undefined;

  constructor(
    root: string,
    private readonly queueFileDelayMs = QUEUE_FILE_DELAY_MS,
    logFileBytes = LOG_FILE_BYTES,
  ) {
    this.#msgDir = ensureDir(join(root, 'msg'));
    this.#queueDir = ensureDir(join(root, 'queue'));
    this.quarantineDir = join(root, 'quarantine');
    this.#logDir = join(root, 'log');
    this.#log = new SpoolLog(this.#logDir, logFileBytes);
    this.#log.onError = (error) => this.onError(error);
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
    const line = Buffer.from(`${JSON.stringify(record)}\n`);
    this.#count(this.#messageBytes, file, line.length + body.length);
    // unref: the timer keeps no process alive (the message is safe in the log)
    this.#spillTimer ??= setTimeout(() => this.#spillDue(), LOG_SPILL_MS).unref();
    return this.#log.append(record.mid, [line, body], Date.now()).catch((error: unknown) => {
      // not acknowledged (the SMTP reply says so): the spool forgets it
      this.#forgetFile(file);
      throw error;
    });
  }

  /**
   * Gives the messages in the log since LOG_SPILL_MS (all of them at stop) message files of their
   * own, SPILLS_AT_ONCE at a time: each one written starts the next. A long queue building up
   * would otherwise start thousands of writes at once, each holding its copy of a message.
   */
  #spillDue(): void {
    if (this.#spillTimer) clearTimeout(this.#spillTimer);
    this.#spillTimer = null;
    for (const mid of this.#log.due(this.#stopping ? Infinity : Date.now() - LOG_SPILL_MS)) {
      if (this.#spilling.size >= SPILLS_AT_ONCE) break;
      if (this.#spilling.has(mid)) continue;
      const content = this.#log.read(mid);
      if (!content) continue;
      this.#spilling.add(mid);
      const path = this.#messagePath(`${mid}.eml`);
      this.#serial(path, () => writeSynced(path, content), true).then(
        () => {
          this.#spilling.delete(mid);
          this.#log.spilled(mid);
          this.#spillDue();
        },
        // reported (see #serial); it stays in the log, and the timer's next round tries again
        () => this.#spilling.delete(mid),
      );
    }
    if (!this.#stopping && this.#log.unspilled > 0) this.#spillTimer = setTimeout(() => this.#spillDue(), LOG_SPILL_MS / 2).unref();
  }

  /** Keeps the byte count of one spool file (null: gone), by its MID: numbers, not paths, for each message queued. */
  #count(sizes: Map<number, number>, file: string, bytes: number | null): void {
    const mid = Number.parseInt(file, 10);
    this.#spoolBytes += (bytes ?? 0) - (sizes.get(mid) ?? 0);
    if (bytes === null) sizes.delete(mid);
    else sizes.set(mid, bytes);
  }

  /** Bytes the queued mail takes in the spool: its message files and queue files. */
  get bytes(): number {
    return this.#spoolBytes;
  }

  /** The message as received (without the record line). */
  readMessage(file: string): Buffer {
    const cached = this.#bodies.get(file);
    if (cached) return cached;
    const raw = this.#log.read(Number.parseInt(file, 10)) ?? readFileSync(this.#messagePath(file));
    return raw.subarray(raw.indexOf(0x0a) + 1);
  }

  /** Drops a body from memory (its message waits long: it is read from its file when sent). */
  uncache(file: string): void {
    const cached = this.#bodies.get(file);
    if (!cached) return;
    this.#bodies.delete(file);
    this.#bodyBytes -= cached.length;
  }

  #remember(file: string, body: Buffer): void {
    if (this.#bodyBytes + body.length > BODY_CACHE_BYTES) return;
    this.#bodies.set(file, ownBytes(body));
    this.#bodyBytes += body.length;
  }

  /**
   * Stores the delivery records of one message file (all of them: the file is replaced) now:
   * progress, which a restart must not undo. Resolves once written.
   */
  saveQueue(file: string, records: QueueRecord[]): Promise<void> {
    const written = this.#writeQueue(file, records);
    const pending = this.#pendingQueues.get(file);
    if (pending) {
      this.#pendingQueues.delete(file);
      void written.then(pending.resolve);
    }
    return written;
  }

  /**
   * Stores the first records of a message file QUEUE_FILE_DELAY_MS from now, unless the message
   * is gone by then or saveQueue wrote them first. Resolves once written, or not needed.
   */
  saveQueueLater(file: string, records: QueueRecord[]): Promise<void> {
    const pending = this.#pendingQueues.get(file);
    if (pending) {
      pending.records = records;
      return pending.done;
    }
    let resolve!: () => void;
    const done = new Promise<void>((r) => (resolve = r));
    this.#pendingQueues.set(file, { records, due: Date.now() + this.queueFileDelayMs, done, resolve });
    this.#queueTimer ??= setTimeout(() => this.#writeDueQueues(), this.queueFileDelayMs);
    return done;
  }

  /** Writes the queue files that are due (all of them when `all`), and waits for the next. */
  #writeDueQueues(all = false): void {
    if (this.#queueTimer) clearTimeout(this.#queueTimer);
    this.#queueTimer = null;
    const now = Date.now();
    for (const [file, pending] of this.#pendingQueues) {
      if (!all && pending.due > now) {
        this.#queueTimer = setTimeout(() => this.#writeDueQueues(), pending.due - now);
        return;
      }
      this.#pendingQueues.delete(file);
      void this.#writeQueue(file, pending.records).then(pending.resolve);
    }
  }

  #writeQueue(file: string, records: QueueRecord[]): Promise<void> {
    const path = this.#queuePath(file);
    const data = JSON.stringify(records);
    this.#count(this.#queueBytes, file, Buffer.byteLength(data));
    this.#unwritten.set(file, data);
    if (this.#lastRead?.file === file) this.#lastRead = null;
    // a replacement goes through a temporary name, so a crash leaves the old list or the new one
    return this.#serial(path, async () => {
      try {
        await writeWhole(`${path}.tmp`, data);
        await renameFile(`${path}.tmp`, path);
      } catch (error) {
        // the old queue file (if any) stays; a short temporary one is no use to anyone
        await remove(`${path}.tmp`).catch(() => undefined);
        throw error;
      } finally {
        if (this.#unwritten.get(file) === data) this.#unwritten.delete(file);
      }
    });
  }

  /**
   * The delivery records of a message file as last saved: waiting for their write, being written,
   * or read from its queue file (checked as at recovery).
   */
  readQueue(file: string): { ok: true; records: readonly QueueRecord[] } | { ok: false; problem: string } {
    const pending = this.#pendingQueues.get(file)?.records;
    if (pending) return { ok: true, records: pending };
    if (this.#lastRead?.file === file) return { ok: true, records: this.#lastRead.records };
    const unwritten = this.#unwritten.get(file);
    const read = unwritten !== undefined ? { state: 'ok' as const, records: JSON.parse(unwritten) as QueueRecord[] } : this.#readQueue(file);
    if (read.state === 'ok') {
      this.#lastRead = { file, records: read.records };
      return { ok: true, records: read.records };
    }
    return { ok: false, problem: read.state === 'missing' ? `queue file ${basename(this.#queuePath(file))} is missing` : `queue file ${read.problem}` };
  }

  /** Forgets a message: its file first, then its queue file (a queue file alone is ignored at start). */
  removeMessage(file: string): Promise<void> {
    const path = this.#messagePath(file);
    const mid = Number.parseInt(file, 10);
    const queueWritten = this.#queueBytes.has(mid);
    // a message only in the log has no message file to remove (unless one is being written)
    const ownFile = this.#log.inOwnFile(mid) || this.#chains.has(path);
    this.#log.finished(mid);
    this.#forgetFile(file);
    const gone = ownFile ? this.#serial(path, () => remove(path)) : Promise.resolve();
    // a queue file never written needs no removing
    if (!queueWritten) return gone;
    const queuePath = this.#queuePath(file);
    return this.#serial(queuePath, () => gone.then(() => remove(queuePath)));
  }

  /** Drops what the spool keeps in memory of a message file: its body, its queue file's pending write, its byte counts. */
  #forgetFile(file: string): void {
    this.uncache(file);
    const pending = this.#pendingQueues.get(file);
    if (pending) {
      this.#pendingQueues.delete(file);
      pending.resolve();
    }
    this.#unwritten.delete(file);
    if (this.#lastRead?.file === file) this.#lastRead = null;
    this.#count(this.#messageBytes, file, null);
    this.#count(this.#queueBytes, file, null);
  }

  /** Waits for every background file operation (at stop). */
  async settle(): Promise<void> {
    this.#writeDueQueues(true);
    // after a stop, each message left has a file of its own and the log is empty
    this.#stopping = true;
    this.#spillDue();
    while (this.#chains.size > 0 || this.#spilling.size > 0) await Promise.all([...this.#chains.values(), new Promise((r) => setImmediate(r))]);
    this.#stopping = false;
    await this.#log.settle();
  }

  /**
   * Everything left by the previous run: messages not yet through the work queue, and queued
   * records. A message file torn before its 250 (its record line whole, its body short of the
   * size the record gives, or not even a whole record line) was never acknowledged and is
   * removed. One that was acknowledged but cannot be read whole (a damaged record line, a queue
   * file of the wrong shape) is moved to spool/quarantine, never deleted. A queue file that is
   * not JSON at all (a crash of the machine between its write and its rename) sends its message
   * through the work queue again.
   */
  recover(): SpoolRecovery {
    const found: SpoolRecovery = { received: [], queued: [], quarantined: [], requeued: [], damagedLog: [] };
    this.#absorbLog(found);
    for (const dir of [this.#queueDir, this.#msgDir]) {
      for (const f of readdirSync(dir)) if (f.endsWith('.tmp')) rmSync(join(dir, f), { force: true });
    }
    for (const file of readdirSync(this.#msgDir).filter((f) => MESSAGE_FILE.test(f))) {
      const mid = Number.parseInt(file, 10);
      const queue = this.#readQueue(file);
      if (queue.state === 'ok') {
        found.queued.push(...queue.records);
        continue;
      }
      if (queue.state === 'bad') {
        this.quarantine(file);
        found.quarantined.push({ mid, problem: `queue file ${queue.problem}` });
        continue;
      }
      if (queue.state === 'torn') found.requeued.push({ mid, problem: `queue file ${queue.problem}` });
      const message = this.#readReceived(file);
      if (message.state === 'ok') found.received.push(message.record);
      else if (message.state === 'torn') rmSync(this.#messagePath(file), { force: true });
      else {
        this.quarantine(file);
        found.quarantined.push({ mid, problem: message.problem });
      }
    }
    // a queue file whose message is gone was finished just before the stop
    for (const f of readdirSync(this.#queueDir)) {
      if (f.endsWith('.json') && !existsSync(this.#messagePath(`${basename(f, '.json')}.eml`))) rmSync(join(this.#queueDir, f), { force: true });
    }
    found.received.sort((a, b) => a.mid - b.mid);
    found.queued.sort((a, b) => a.mid - b.mid);
    this.#countExisting();
    return found;
  }

  /**
   * Turns the log files of the previous run into message files: each message not finished gets
   * its file (synced) from its last copy in the log, each finished one loses the file it may
   * still have, and bytes of a log file that are not frames are kept aside in the quarantine.
   * Then the log files go.
   */
  #absorbLog(found: SpoolRecovery): void {
    if (!existsSync(this.#logDir)) return;
    const log = readLogFiles(this.#logDir);
    for (const mid of log.finished) rmSync(this.#messagePath(`${mid}.eml`), { force: true });
    for (const [mid, content] of log.messages) writeFileSynced(this.#messagePath(`${mid}.eml`), content);
    for (const d of log.damaged) {
      const dir = ensureDir(this.quarantineDir);
      const name = `log-${basename(d.file, '.log')}-at-${d.offset}.damaged`;
      writeFileSynced(join(dir, name), d.bytes);
      found.damagedLog.push(`spool log file ${d.file} is damaged: ${d.bytes.length} bytes at offset ${d.offset} are not messages of the spool; they were kept in ${join(dir, name)}`);
    }
    for (const file of log.files) rmSync(join(this.#logDir, file), { force: true });
  }

  /** Counts the files recovery kept (once, at start: later writes keep the count). */
  #countExisting(): void {
    for (const [dir, sizes, name] of [
      [this.#msgDir, this.#messageBytes, MESSAGE_FILE],
      [this.#queueDir, this.#queueBytes, QUEUE_FILE_NAME],
    ] as const) {
      for (const f of readdirSync(dir).filter((n) => name.test(n))) {
        const path = join(dir, f);
        try {
          this.#count(sizes, f, statSync(path).size);
        } catch {
          // gone meanwhile: nothing to count
        }
      }
    }
  }

  #readQueue(file: string): { state: 'missing' } | { state: 'ok'; records: QueueRecord[] } | { state: 'torn' | 'bad'; problem: string } {
    const path = this.#queuePath(file);
    if (!existsSync(path)) return { state: 'missing' };
    const name = basename(path);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      return { state: 'bad', problem: `${name} is unreadable: ${(error as Error).message}` };
    }
    const parsed = parseJson(text, QUEUE_FILE, name);
    if (!parsed.ok) return { state: parsed.syntax ? 'torn' : 'bad', problem: `${name} is ${parsed.problem}` };
    const stray = parsed.value.find((r) => r.file !== file);
    if (stray) return { state: 'bad', problem: `${name} is not valid: a record of MID ${stray.mid} names the message file ${JSON.stringify(stray.file)}` };
    return { state: 'ok', records: parsed.value };
  }

  #readReceived(file: string): { state: 'ok'; record: ReceivedRecord } | { state: 'torn' } | { state: 'bad'; problem: string } {
    let raw: Buffer;
    try {
      raw = readFileSync(this.#messagePath(file));
    } catch (error) {
      return { state: 'bad', problem: `${file} is unreadable: ${(error as Error).message}` };
    }
    const newline = raw.indexOf(0x0a);
    // the record line is written first: without its newline, the write stopped inside it
    if (newline < 0) return { state: 'torn' };
    const parsed = parseJson(raw.subarray(0, newline).toString('utf8'), RECEIVED_RECORD, 'the record line');
    // a whole line that is not a record is damage, not a crash: the write went on past it
    if (!parsed.ok) return { state: 'bad', problem: `the record line of ${file} is ${parsed.problem}` };
    const record = parsed.value;
    if (record.mid !== Number.parseInt(file, 10)) return { state: 'bad', problem: `the record line of ${file} is of MID ${record.mid}` };
    const bodyBytes = raw.length - newline - 1;
    if (bodyBytes < record.size) return { state: 'torn' };
    if (bodyBytes > record.size) return { state: 'bad', problem: `the message in ${file} is ${bodyBytes} bytes, its record line says ${record.size}` };
    return { state: 'ok', record };
  }

  /**
   * Moves a message file and its queue file (if any) to spool/quarantine, under names not yet
   * taken; returns the quarantine's path, or null when the message file is gone already.
   */
  quarantine(file: string): string | null {
    const logged = this.#log.read(Number.parseInt(file, 10));
    if (!logged && !existsSync(this.#messagePath(file))) return null;
    this.#log.finished(Number.parseInt(file, 10));
    this.#forgetFile(file);
    const dir = ensureDir(this.quarantineDir);
    const mid = basename(file, '.eml');
    let name = mid;
    for (let n = 1; existsSync(join(dir, `${name}.eml`)) || existsSync(join(dir, `${name}.queue.json`)); n++) name = `${mid}-${n}`;
    if (logged) writeFileSynced(join(dir, `${name}.eml`), logged);
    else renameSync(this.#messagePath(file), join(dir, `${name}.eml`));
    if (existsSync(this.#queuePath(file))) renameSync(this.#queuePath(file), join(dir, `${name}.queue.json`));
    return dir;
  }

  /** How many messages wait in spool/quarantine for an operator. */
  quarantineCount(): number {
    return existsSync(this.quarantineDir) ? readdirSync(this.quarantineDir).filter((f) => f.endsWith('.eml') || f.endsWith('.damaged')).length : 0;
  }

  /**
   * The highest MID and ICID the spool holds (its quarantine included), for rebuilding a lost
   * state/ids.json. Damaged files count for what can still be read of them.
   */
  highestIds(): { mid: number; icid: number; dcid: number } {
    const highest = { mid: 0, icid: 0, dcid: 0 };
    const see = (kind: 'mid' | 'icid', n: unknown) => {
      if (typeof n === 'number' && Number.isSafeInteger(n) && n > highest[kind]) highest[kind] = n;
    };
    if (existsSync(this.#logDir)) {
      const log = readLogFiles(this.#logDir);
      for (const mid of log.finished) see('mid', mid);
      for (const [mid, content] of log.messages) {
        see('mid', mid);
        try {
          see('icid', (JSON.parse(content.subarray(0, content.indexOf(0x0a)).toString('utf8')) as Partial<ReceivedRecord>).icid);
        } catch {
          // damaged: its MID still counted
        }
      }
    }
    const dirs = [this.#msgDir, this.#queueDir, this.quarantineDir].filter((d) => existsSync(d));
    for (const dir of dirs) {
      for (const f of readdirSync(dir)) {
        see('mid', Number.parseInt(f, 10));
        const path = join(dir, f);
        try {
          if (f.endsWith('.eml')) {
            const head = firstLine(path);
            const record = JSON.parse(head) as Partial<ReceivedRecord>;
            see('mid', record.mid);
            see('icid', record.icid);
          } else if (f.endsWith('.json')) {
            const records = JSON.parse(readFileSync(path, 'utf8')) as Partial<QueueRecord>[];
            for (const r of Array.isArray(records) ? records : []) {
              see('mid', r?.mid);
              see('mid', r?.journal?.originalMid);
            }
          }
        } catch {
          // damaged: its name still counted
        }
      }
    }
    return highest;
  }
}

interface PendingQueueFile {
  records: QueueRecord[];
  due: number;
  done: Promise<void>;
  resolve: () => void;
}

/**
 * The bytes of a buffer in memory of their own. A small Buffer is a view of a shared 8 KB slab
 * (Node's pool): keeping a 2 KB body would keep its whole slab alive, four times the cache's
 * count (measured: 22 MB of array buffers behind an 8 MB body cache).
 */
function ownBytes(body: Buffer): Buffer {
  if (body.byteLength === body.buffer.byteLength) return body;
  const copy = Buffer.allocUnsafeSlow(body.byteLength);
  body.copy(copy);
  return copy;
}

/** What the spool held at start (see Spool.recover). */
export interface SpoolRecovery {
  received: ReceivedRecord[];
  queued: QueueRecord[];
  /** acknowledged messages that cannot be read whole, moved to spool/quarantine */
  quarantined: { mid: number; problem: string }[];
  /** messages whose queue file was torn: they go through the work queue again */
  requeued: { mid: number; problem: string }[];
  /** parts of log files that are not messages, kept aside in the quarantine: what happened, for the operator */
  damagedLog: string[];
}

/** Writes a whole file and syncs it (at start and for the quarantine: the event loop may wait). */
function writeFileSynced(path: string, data: Buffer): void {
  const fd = openSync(path, 'w');
  try {
    for (let done = 0; done < data.length;) done += writeSync(fd, data, done);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

const MESSAGE_FILE = /^\d+\.eml$/;
const QUEUE_FILE_NAME = /^\d+\.json$/;

/** The first line of a file (its first 64 KB at most): a spool message's record line. */
function firstLine(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(64 * 1024);
    const n = readSync(fd, buffer, 0, buffer.length, 0);
    const head = buffer.subarray(0, n);
    const newline = head.indexOf(0x0a);
    return head.subarray(0, newline < 0 ? n : newline).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
