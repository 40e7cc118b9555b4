import { accessSync, appendFileSync, constants, existsSync, renameSync, statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { ensureDir } from '../home.js';
import { tryKeepAside } from '../state-file.js';
import { asyncosDate } from '../time-format.js';

export type LogLevel = 'Info' | 'Warning' | 'Debug' | 'Critical';

/** Lines kept in memory at most while mail_logs cannot be written (the oldest go first). */
const MAX_KEPT_LINES = 100_000;
/** How often a mail_logs that cannot be written is tried again. */
const RETRY_MS = 1000;

/**
 * mail_logs, in AsyncOS's text form (`Fri Feb 16 21:19:22 2024 Info: text`). Lines are buffered
 * and appended a few times a second, and at once when an SMTP reply waits for them (`written`);
 * the file rolls over by size (mail_logs.1, .2, ...). A file that cannot be written never stops
 * the appliance: it is reported once through `warn`, its lines are kept (up to a bound) and
 * written when it can be again.
 */
export class MailLog {
  #buffer: string[] = [];
  #timer: NodeJS.Timeout | null = null;
  #immediate: NodeJS.Immediate | null = null;
  #waiters: (() => void)[] = [];
  #size = 0;
  /** the error's text while the file cannot be written */
  #failing: string | null = null;
  #lost = 0;
  /** reports a file that cannot be written (once per outage), and its recovery */
  warn: (text: string) => void = (text) => void process.stderr.write(`segsim: ${text}\n`);
  /** runs after every write of the buffer: what keeps step with mail_logs (the counters) saves here */
  onWritten: () => void = () => undefined;

  constructor(
    private readonly file: string,
    private readonly now: () => number,
    private readonly maxBytes = 10 * 1024 * 1024,
    private readonly keep = 10,
  ) {
    try {
      ensureDir(dirname(file));
      this.#setAsideIfBad();
      this.#size = existsSync(file) ? statSync(file).size : 0;
    } catch {
      // reported at the first write, which fails the same way
    }
    if (this.#size === 0) this.#buffer.push(this.#format('Info', 'Begin Logfile'));
    if (this.#setAside) this.#buffer.push(this.#format('Warning', this.#setAside));
  }

  /** what was kept aside at start, until the first flush tells `warn` (set by then) */
  #setAside: string | null = null;

  /**
   * A directory (or a file that cannot be read and written) where the log file should be is
   * renamed `<file>.bad-<time>` and a new log begins: the bad one could never take a line, and
   * nothing in it is lost. When it cannot even be renamed, the first write reports it.
   */
  #setAsideIfBad(): void {
    const st = statSync(this.file, { throwIfNoEntry: false });
    if (!st) return;
    let problem = st.isDirectory() ? 'is a directory' : st.isFile() ? null : 'is not a file';
    if (problem === null) {
      try {
        accessSync(this.file, constants.R_OK | constants.W_OK);
        return;
      } catch (error) {
        problem = `cannot be read and written (${(error as NodeJS.ErrnoException).code})`;
      }
    }
    const aside = tryKeepAside(this.file, this.now());
    if (aside.keptAs === null) return;
    this.#setAside = `${this.file} ${problem}: it was kept aside as ${basename(aside.keptAs)}, and a new ${basename(this.file)} begins.`;
  }

  info(text: string): void {
    this.write('Info', text);
  }

  write(level: LogLevel, text: string): void {
    const line = this.#format(level, text);
    this.#buffer.push(line);
    if (this.#buffer.length > MAX_KEPT_LINES) {
      const drop = this.#buffer.length - MAX_KEPT_LINES + MAX_KEPT_LINES / 10;
      this.#buffer.splice(0, drop);
      this.#lost += drop;
    }
    this.#timer ??= setTimeout(() => this.flush(), 50);
  }

  /**
   * Resolves once every line so far is in the file (appended, not synced: a crash of the
   * process keeps it), or could not be: a reply never waits for a broken log. Callers of one
   * moment share one write.
   */
  written(): Promise<void> {
    return new Promise((resolve) => {
      this.#waiters.push(resolve);
      this.#immediate ??= setImmediate(() => this.#flush(false));
    });
  }

  /** Writes buffered lines now (also at stop, so nothing is lost on a clean exit). */
  flush(): void {
    this.#flush(true);
  }

  #flush(force: boolean): void {
    if (this.#immediate) clearImmediate(this.#immediate);
    this.#immediate = null;
    const waiters = this.#waiters;
    this.#waiters = [];
    if (this.#setAside) {
      this.warn(this.#setAside);
      this.#setAside = null;
    }
    // a file that failed is tried again by its own timer (and at stop), not at every reply: the
    // replies leave that timer alone, or steady traffic would put the retry off forever
    if (force || this.#failing === null) {
      if (this.#timer) clearTimeout(this.#timer);
      this.#timer = null;
      if (this.#buffer.length > 0) this.#append();
    }
    if (this.#failing !== null && this.#buffer.length > 0) this.#timer ??= setTimeout(() => this.flush(), RETRY_MS);
    try {
      this.onWritten();
    } finally {
      for (const resolve of waiters) resolve();
    }
  }

  #append(): void {
    if (this.#failing !== null && this.#lost > 0) this.#buffer.unshift(this.#format('Warning', `${this.#lost} log lines were lost while ${this.file} could not be written`));
    const text = `${this.#buffer.join('\n')}\n`;
    try {
      appendFileSync(this.file, text);
    } catch (error) {
      if (this.#failing !== null && this.#lost > 0) this.#buffer.shift();
      this.#trouble(error as Error);
      return;
    }
    this.#buffer = [];
    this.#size += Buffer.byteLength(text);
    if (this.#failing !== null) {
      this.warn(`${this.file} is written again.`);
      this.#failing = null;
      this.#lost = 0;
    }
    if (this.#size < this.maxBytes) return;
    try {
      this.#rotate();
    } catch (error) {
      this.#trouble(error as Error, 'could not be rolled over');
    }
  }

  /** Reports a failure once per outage (a new error is a new report). */
  #trouble(error: Error, what = 'cannot be written'): void {
    if (this.#failing === error.message) return;
    this.#failing = error.message;
    this.warn(`${this.file} ${what}: ${error.message}. Mail keeps flowing; its log lines are kept and written when it can be again.`);
  }

  #format(level: LogLevel, text: string): string {
    // a busy log writes many lines a second: the date is formatted once per second
    const second = Math.floor(this.now() / 1000);
    if (second !== this.#second) {
      this.#second = second;
      this.#date = asyncosDate(second * 1000);
    }
    return `${this.#date} ${level}: ${text}`;
  }

  #second = NaN;
  #date = '';

  #rotate(): void {
    appendFileSync(this.file, `${this.#format('Info', 'Logfile rolled over')}\n`);
    for (let i = this.keep - 1; i >= 1; i--) {
      if (existsSync(`${this.file}.${i}`)) renameSync(`${this.file}.${i}`, `${this.file}.${i + 1}`);
    }
    renameSync(this.file, `${this.file}.1`);
    this.#size = 0;
    appendFileSync(this.file, `${this.#format('Info', 'Begin Logfile')}\n`);
  }
}
