import { close, fsync, mkdirSync, openSync, readdirSync, readFileSync, readSync, unlink, writev } from 'node:fs';
import { join } from 'node:path';

/**
 * The spool log: where a message is first written, before its 250. Messages received at the
 * same time are appended to one file and covered by one fsync (a group commit), instead of a
 * file and an fsync each: most mail is delivered within a second, and its bytes never need a
 * file of their own. A message still in the spool LOG_SPILL_MS after its arrival gets its own
 * message file (the spool's `spill`), and a log file is removed once none of its messages
 * needs it. Log files hold frames, one after the other:
 * - `M <mid> <bytes>\n` and then <bytes> bytes: a message file's content (record line and body);
 * - `D <mid>\n`: that message is finished (written when it leaves the spool while its log file
 *   is still there, so that a restart does not deliver it again).
 */
export const LOG_SPILL_MS = 1000;

/** A log file takes no more appends once it holds this much (and goes once all its messages have). */
export const LOG_FILE_BYTES = 4 * 1024 * 1024;

const LOG_FILE = /^(\d+)\.log$/;
const MESSAGE_HEADER = /^M (\d{1,15}) (\d{1,15})$/;
const DONE_HEADER = /^D (\d{1,15})$/;

interface LogFile {
  name: string;
  fd: number;
  /** bytes appended and reserved */
  size: number;
  /** its messages neither finished nor spilled */
  live: number;
  /** the messages appended to it */
  mids: number[];
  /** finished messages whose `D` line waits for this tick's write */
  done: number[];
  /** writes and fsyncs under way: the file is closed only after them (its fd could be reused) */
  busy: number;
  /** no message needs it: it goes once it is not busy */
  unneeded: boolean;
}

interface Slot {
  log: LogFile;
  /** where the message file's content starts, and its length */
  offset: number;
  length: number;
  arrivedAt: number;
  spilled: boolean;
}

export class SpoolLog {
  readonly #dir: string;
  #current: LogFile | null = null;
  #nextNumber = 0;
  /** messages in a log file still there, oldest first */
  readonly #slots = new Map<number, Slot>();
  /** appended and written, waiting for the next fsync of their file */
  #unsynced: { log: LogFile; mid: number; resolve: () => void; reject: (error: Error) => void }[] = [];
  #syncing: Promise<void> | null = null;
  /** log files not yet closed */
  readonly #open = new Set<LogFile>();
  /** log files being closed and removed */
  readonly #removing = new Set<Promise<void>>();
  /** reports a failed background write */
  onError: (error: Error) => void = () => undefined;

  constructor(
    dir: string,
    private readonly fileBytes = LOG_FILE_BYTES,
  ) {
    this.#dir = dir;
  }

  /** Appends a message file's content (its parts, one after the other); resolves once it is on disk (durable). */
  append(mid: number, content: Buffer[], now: number): Promise<void> {
    // a log file that cannot be opened rejects the promise too
    return new Promise((resolve, reject) => {
      const log = this.#writable();
      const length = content.reduce((n, b) => n + b.length, 0);
      const header = Buffer.from(`M ${mid} ${length}\n`);
      const offset = log.size;
      log.size += header.length + length;
      log.live++;
      log.mids.push(mid);
      this.#slots.set(mid, { log, offset: offset + header.length, length, arrivedAt: now, spilled: false });
      this.#write(log, [header, ...content], offset, (error) => {
        if (!error) {
          this.#unsynced.push({ log, mid, resolve, reject });
          void this.#sync();
          return;
        }
        this.#failed(log, mid);
        reject(error);
      });
    });
  }

  #write(log: LogFile, buffers: Buffer[], offset: number, done: (error: Error | null) => void): void {
    log.busy++;
    const total = buffers.reduce((n, b) => n + b.length, 0);
    writev(log.fd, buffers, offset, (error, written) => {
      // a short write (rare on a file): the rest goes on from where it stopped
      if (!error && written < total) this.#write(log, [Buffer.concat(buffers).subarray(written)], offset + written, done);
      else done(error);
      this.#idle(log);
    });
  }

  /**
   * A message whose write or fsync failed was not acknowledged: a `D` line keeps a restart from
   * delivering it, and nothing more goes to a file that failed (the next message starts a new one).
   */
  #failed(log: LogFile, mid: number): void {
    if (this.#current === log) this.#current = null;
    this.finished(mid);
  }

  #idle(log: LogFile): void {
    log.busy--;
    this.#removeIfUnneeded(log);
  }

  /** One fsync at a time for each file, covering the writes that finished before it started. */
  #sync(): Promise<void> {
    this.#syncing ??= (async () => {
      while (this.#unsynced.length > 0) {
        const batch = this.#unsynced;
        this.#unsynced = [];
        const results = new Map<LogFile, Error | null>();
        const logs = new Set(batch.map((b) => b.log));
        for (const log of logs) log.busy++;
        await Promise.all([...logs].map((log) => new Promise<void>((r) => fsync(log.fd, (error) => r(void results.set(log, error))))));
        for (const b of batch) {
          const error = results.get(b.log);
          if (!error) b.resolve();
          else {
            this.#failed(b.log, b.mid);
            b.reject(error);
          }
        }
        for (const log of logs) this.#idle(log);
      }
      this.#syncing = null;
    })();
    return this.#syncing;
  }

  #writable(): LogFile {
    if (this.#current && this.#current.size < this.fileBytes) return this.#current;
    const previous = this.#current;
    if (this.#nextNumber === 0) this.#nextNumber = Math.max(0, ...logFileNumbers(this.#dir)) + 1;
    const name = `${this.#nextNumber++}.log`;
    mkdirSync(this.#dir, { recursive: true });
    this.#current = { name, fd: openSync(join(this.#dir, name), 'wx+'), size: 0, live: 0, mids: [], done: [], busy: 0, unneeded: false };
    this.#open.add(this.#current);
    if (previous) this.#removeIfUnneeded(previous);
    return this.#current;
  }

  /** The message file's content, while it is in a log file and not spilled. */
  read(mid: number): Buffer | null {
    const slot = this.#slots.get(mid);
    if (!slot || slot.spilled) return null;
    const buffer = Buffer.allocUnsafe(slot.length);
    let done = 0;
    while (done < slot.length) done += readSync(slot.log.fd, buffer, done, slot.length - done, slot.offset + done);
    return buffer;
  }

  /** Whether the message is (or may be) in a message file of its own. */
  inOwnFile(mid: number): boolean {
    return this.#slots.get(mid)?.spilled ?? true;
  }

  /** How many messages are only in a log file. */
  get unspilled(): number {
    let n = 0;
    for (const log of this.#open) n += log.live;
    return n;
  }

  /** Messages in log files since before `cutoff` that have no message file of their own yet, oldest first. */
  *due(cutoff: number): Generator<number> {
    for (const [mid, slot] of this.#slots) {
      if (slot.arrivedAt > cutoff) return;
      if (!slot.spilled) yield mid;
    }
  }

  /** The message has its own message file, synced: its log file need not keep it. */
  spilled(mid: number): void {
    const slot = this.#slots.get(mid);
    if (!slot || slot.spilled) return;
    slot.spilled = true;
    slot.log.live--;
    this.#removeIfUnneeded(slot.log);
  }

  /** The message left the spool: its log file says so, while it is there. */
  finished(mid: number): void {
    const slot = this.#slots.get(mid);
    if (!slot) return;
    const log = slot.log;
    if (log.done.push(mid) === 1) {
      log.busy++;
      setImmediate(() => this.#writeDone(log));
    }
    this.#forget(mid);
  }

  #forget(mid: number): void {
    const slot = this.#slots.get(mid);
    if (!slot) return;
    this.#slots.delete(mid);
    if (!slot.spilled) slot.log.live--;
    this.#removeIfUnneeded(slot.log);
  }

  #writeDone(log: LogFile): void {
    const lines = Buffer.from(log.done.map((mid) => `D ${mid}\n`).join(''));
    log.done = [];
    if (log.unneeded) return this.#idle(log);
    const offset = log.size;
    log.size += lines.length;
    this.#write(log, [lines], offset, (error) => error && this.onError(error));
    this.#idle(log);
  }

  /** A log file that takes no more appends goes once none of its messages needs it. */
  #removeIfUnneeded(log: LogFile): void {
    if (log === this.#current || log.live > 0) return;
    if (!log.unneeded) {
      log.unneeded = true;
      for (const mid of log.mids) if (this.#slots.get(mid)?.log === log) this.#slots.delete(mid);
      log.mids = [];
    }
    if (log.busy > 0 || log.fd < 0) return;
    const fd = log.fd;
    log.fd = -1;
    this.#open.delete(log);
    // its D lines are of no use any more: the file goes whole
    const removed = new Promise<void>((resolve) =>
      close(fd, () =>
        unlink(join(this.#dir, log.name), (error) => {
          if (error && error.code !== 'ENOENT') this.onError(error);
          resolve();
        }),
      ),
    );
    this.#removing.add(removed);
    void removed.then(() => this.#removing.delete(removed));
  }

  /** Waits for the fsyncs under way; the current log file goes once its messages have their own files. */
  async settle(): Promise<void> {
    await this.#syncing;
    const current = this.#current;
    this.#current = null;
    if (current) this.#removeIfUnneeded(current);
    // D lines being written keep their file a moment longer
    while ([...this.#open].some((log) => log.unneeded)) await new Promise((r) => setTimeout(r, 1));
    while (this.#removing.size > 0) await Promise.all([...this.#removing]);
  }
}

function logFileNumbers(dir: string): number[] {
  try {
    return readdirSync(dir).flatMap((f) => {
      const m = LOG_FILE.exec(f);
      return m ? [Number(m[1])] : [];
    });
  } catch {
    return [];
  }
}

/** What the log files left by a previous run hold (see readLogFiles). */
export interface LogContents {
  /** messages not finished, by MID: the last copy of each */
  messages: Map<number, Buffer>;
  /** finished messages */
  finished: Set<number>;
  /** bytes that are not frames (damage), by log file name and offset: kept aside, never deleted */
  damaged: { file: string; offset: number; bytes: Buffer }[];
  /** the log files read */
  files: string[];
}

/**
 * Reads every log file in `dir`. A frame cut short at the end of a file was being written when
 * the process stopped: never acknowledged, it is dropped (one whose length runs past the end with
 * a whole message after it is damage). Anything else that is not a frame is
 * damage: reading resumes at the next line that starts a frame, and the bytes in between are
 * returned to be kept aside.
 */
export function readLogFiles(dir: string): LogContents {
  const found: LogContents = { messages: new Map(), finished: new Set(), damaged: [], files: [] };
  const names = logFileNumbers(dir)
    .sort((a, b) => a - b)
    .map((n) => `${n}.log`);
  for (const file of names) {
    found.files.push(file);
    const bytes = readFileSync(join(dir, file));
    let at = 0;
    let damageFrom = -1;
    const endDamage = (to: number) => {
      if (damageFrom >= 0) found.damaged.push({ file, offset: damageFrom, bytes: bytes.subarray(damageFrom, to) });
      damageFrom = -1;
    };
    while (at < bytes.length) {
      // zeros: a hole left by a write that never happened (its message was never acknowledged)
      if (bytes[at] === 0) {
        while (at < bytes.length && bytes[at] === 0) at++;
        continue;
      }
      const frame = frameAt(bytes, at);
      if (frame.kind === 'torn') break;
      if (frame.kind === 'none') {
        if (damageFrom < 0) damageFrom = at;
        const next = bytes.indexOf(0x0a, at);
        at = next < 0 ? bytes.length : next + 1;
        continue;
      }
      endDamage(at);
      if (frame.kind === 'message') {
        found.finished.delete(frame.mid);
        found.messages.set(frame.mid, frame.content);
      } else {
        found.messages.delete(frame.mid);
        found.finished.add(frame.mid);
      }
      at = frame.end;
    }
    // a torn frame after damage: the damage runs to the end
    endDamage(bytes.length);
  }
  return found;
}

type Frame = { kind: 'message'; mid: number; content: Buffer; end: number } | { kind: 'done'; mid: number; end: number } | { kind: 'torn' } | { kind: 'none' };

function frameAt(bytes: Buffer, at: number): Frame {
  const newline = bytes.indexOf(0x0a, at);
  // a header line is short: a longer run without a newline is not one
  if (newline < 0) return bytes.length - at < 40 ? { kind: 'torn' } : { kind: 'none' };
  if (newline - at > 40) return { kind: 'none' };
  const header = bytes.toString('latin1', at, newline);
  const message = MESSAGE_HEADER.exec(header);
  if (message) {
    const end = newline + 1 + Number(message[2]);
    // past the end: a write the crash cut short, unless a whole message follows (then its length is damaged)
    if (end > bytes.length) return wholeMessageAfter(bytes, newline) ? { kind: 'none' } : { kind: 'torn' };
    return { kind: 'message', mid: Number(message[1]), content: bytes.subarray(newline + 1, end), end };
  }
  const done = DONE_HEADER.exec(header);
  if (done) return { kind: 'done', mid: Number(done[1]), end: newline + 1 };
  return { kind: 'none' };
}

/** Whether a whole message frame starts on a line after `from`. */
function wholeMessageAfter(bytes: Buffer, from: number): boolean {
  for (let at = bytes.indexOf('\nM ', from); at >= 0; at = bytes.indexOf('\nM ', at + 1)) {
    if (frameAt(bytes, at + 1).kind === 'message') return true;
  }
  return false;
}
