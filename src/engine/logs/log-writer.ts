import { accessSync, appendFileSync, constants, existsSync, readdirSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { LogSubscription } from '../config/model.js';
import { logFilePrefix } from '../config/model.js';
import { ensureDir } from '../home.js';
import { tryKeepAside } from '../state-file.js';
import { asyncosDate } from '../time-format.js';
import { currentFileName, fileLineTime, rolledFileName, rolledFiles, stampOf } from './log-files.js';
import { levelWrites, type LineLevel, type LogLines } from './log-lines.js';

/** Lines kept in memory at most while a log file cannot be written (the oldest go first). */
const MAX_KEPT_LINES = 100_000;
/** How often a log file that cannot be written is tried again. */
const RETRY_MS = 1000;
/** How long a written line waits in the buffer at most. */
export const FLUSH_MS = 50;

export interface LogWriterOptions {
  /** the home's logs/ directory: the subscription's files are in logs/<name>/ */
  logsDir: string;
  subscription: LogSubscription;
  /** the appliance clock (ms): the lines' dates and the rolled files' stamps */
  now: () => number;
  /** the lines after `Begin Logfile` at the top of each new file (`Version: 15.5.1-055 SN: ...`) */
  header?: () => string[];
  /** where each line the subscription keeps is handed on (the syslog push) */
  lines?: LogLines;
  /** reports a file that cannot be written (once per outage) and its recovery; read at each report */
  warn?: () => (text: string) => void;
}

const stderrWarn = (text: string) => void process.stderr.write(`segsim: ${text}\n`);

/**
 * One log subscription's files, as AsyncOS keeps them: `logs/<name>/<prefix>.current`, rolled
 * over to `<prefix>.@<YYYYMMDDTHHMMSS>.s` (the time the file began) when a line would take it
 * past the subscription's size, or on `rollover()` (rollovernow); beyond the subscription's
 * number of files the oldest rolled file is removed. Each file begins with `Begin Logfile`, the
 * version line and `Time offset from UTC: N seconds`, and a rolled one ends with `Logfile rolled
 * over`. Lines are in AsyncOS's text form (`Fri Feb 16 21:19:22 2024 Info: text`), those above
 * the subscription's level left out.
 *
 * Lines are buffered and appended a few times a second, and at once when an SMTP reply waits for
 * them (`written`). A file that cannot be written never stops the appliance: it is reported once
 * through `warn`, its lines are kept (up to a bound) and written when it can be again.
 */
export class LogWriter {
  readonly dir: string;
  readonly file: string;
  readonly #prefix: string;
  #sub: LogSubscription;
  #buffer: string[] = [];
  #timer: NodeJS.Timeout | null = null;
  #immediate: NodeJS.Immediate | null = null;
  #waiters: (() => void)[] = [];
  #size = 0;
  /** when the current file began (its rolled name's stamp) */
  #begunAt: number;
  /** the error's text while the file cannot be written */
  #failing: string | null = null;
  #lost = 0;
  /** what was kept aside at start, until the first flush reports it */
  #setAside: string[] = [];
  #closed = false;
  /** runs after every write of the buffer: what keeps step with the log (mail counters) saves here */
  onWritten: () => void = () => undefined;

  constructor(private readonly options: LogWriterOptions) {
    this.#sub = options.subscription;
    this.#prefix = logFilePrefix(this.#sub);
    this.dir = join(options.logsDir, this.#sub.name);
    this.file = join(this.dir, currentFileName(this.#prefix));
    this.#begunAt = options.now();
    try {
      this.#setAsideIfBad(this.dir, (st) => (st.isDirectory() ? null : 'is not a directory'));
      if (this.#homeExists()) ensureDir(this.dir);
      this.#setAsideIfBad(this.file, (st) => (st.isDirectory() ? 'is a directory' : st.isFile() ? null : 'is not a file'));
      this.#size = existsSync(this.file) ? statSync(this.file).size : 0;
    } catch {
      // reported at the first write, which fails the same way
    }
    if (this.#size === 0) this.#buffer.push(...this.#beginLines());
    else this.#begunAt = fileLineTime(this.file, 'first') ?? statSync(this.file).mtimeMs;
    for (const text of this.#setAside) this.#buffer.push(this.#format('Warning', text));
  }

  get subscription(): LogSubscription {
    return this.#sub;
  }

  /** Takes a changed level, size or number of files of the same subscription (name and type stay). */
  reconfigure(sub: LogSubscription): void {
    this.#sub = sub;
  }

  #warn(text: string): void {
    (this.options.warn?.() ?? stderrWarn)(text);
  }

  /**
   * What stands where the log's directory or file should be and cannot be used (a file where the
   * directory goes, a directory where the file goes, no permission) is renamed `<path>.bad-<time>`
   * and a new one begins: it could never take a line, and nothing in it is lost. When it cannot
   * even be renamed, the first write reports it.
   */
  #setAsideIfBad(path: string, kind: (st: import('node:fs').Stats) => string | null): void {
    const st = statSync(path, { throwIfNoEntry: false });
    if (!st) return;
    let problem = kind(st);
    if (problem === null) {
      try {
        accessSync(path, constants.R_OK | constants.W_OK | (st.isDirectory() ? constants.X_OK : 0));
        return;
      } catch (error) {
        problem = `cannot be read and written (${(error as NodeJS.ErrnoException).code})`;
      }
    }
    const aside = tryKeepAside(path, this.options.now());
    if (aside.keptAs === null) return;
    const what = path === this.file ? basename(this.file) : `${this.#sub.name} directory`;
    this.#setAside.push(`${path} ${problem}: it was kept aside as ${basename(aside.keptAs)}, and a new ${what} begins.`);
  }

  info(text: string): void {
    this.write('Info', text);
  }

  /** Writes a line, unless it is above the subscription's level. */
  write(level: LineLevel, text: string): void {
    if (this.#closed || !levelWrites(this.#sub.level, level)) return;
    const line = this.#format(level, text);
    this.#buffer.push(line);
    const lines = this.options.lines;
    if (lines?.listened) lines.emit({ subscription: this.#sub.name, type: this.#sub.type, level, at: this.options.now(), text, line });
    if (this.#buffer.length > MAX_KEPT_LINES) {
      const drop = this.#buffer.length - MAX_KEPT_LINES + MAX_KEPT_LINES / 10;
      this.#buffer.splice(0, drop);
      this.#lost += drop;
    }
    this.#timer ??= setTimeout(() => this.flush(), FLUSH_MS);
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

  /** Writes what is buffered and stops taking lines (the subscription was deleted or replaced). */
  close(): void {
    this.flush();
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  /**
   * Rolls the current file over now (rollovernow): what is buffered is written to it first, it
   * becomes `<prefix>.@<stamp>.s`, and a new current file begins. Throws, naming the file, when
   * the files cannot be written or renamed.
   */
  rollover(): void {
    this.flush();
    if (this.#failing !== null) throw new Error(`${this.file} cannot be written: ${this.#failing}`);
    if (this.#size === 0) return;
    this.#roll();
  }

  #flush(force: boolean): void {
    if (this.#immediate) clearImmediate(this.#immediate);
    this.#immediate = null;
    const waiters = this.#waiters;
    this.#waiters = [];
    // a file that failed is tried again by its own timer (and at stop), not at every reply: the
    // replies leave that timer alone, or steady traffic would put the retry off forever
    if (force || this.#failing === null) {
      if (this.#timer) clearTimeout(this.#timer);
      this.#timer = null;
      for (const text of this.#setAside.splice(0)) this.#warn(text);
      if (this.#buffer.length > 0) this.#append();
    }
    if (this.#failing !== null && this.#buffer.length > 0 && !this.#closed) this.#timer ??= setTimeout(() => this.flush(), RETRY_MS);
    try {
      this.onWritten();
    } finally {
      for (const resolve of waiters) resolve();
    }
  }

  #append(): void {
    if (this.#failing !== null && this.#lost > 0) this.#buffer.unshift(this.#format('Warning', `${this.#lost} log lines were lost while ${this.file} could not be written`));
    try {
      try {
        this.#appendLines(this.#buffer);
      } catch (error) {
        // its directory removed (an operator cleaning logs/): made again, and the lines written
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || existsSync(this.dir)) throw error;
        if (!this.#homeExists()) return this.#homeGone();
        ensureDir(this.dir);
        this.#size = 0;
        this.#buffer.unshift(...this.#beginLines());
        this.#appendLines(this.#buffer);
      }
    } catch (error) {
      if (this.#failing !== null && this.#lost > 0) this.#buffer.shift();
      this.#trouble(error as Error);
      return;
    }
    this.#buffer = [];
    if (this.#failing !== null) {
      this.#warn(`${this.file} is written again.`);
      this.#failing = null;
      this.#lost = 0;
    }
  }

  /** The appliance's home, whose logs/ this writer writes in: a writer makes logs/<name>, never a home. */
  #homeExists(): boolean {
    return existsSync(dirname(this.options.logsDir));
  }

  /**
   * The home was removed under the appliance (a lab's home deleted while it ran, a test's at its
   * end): there is nowhere to write, and making the home again would leave a stray one behind. The
   * lines are dropped, said once, and the writer takes no more.
   */
  #homeGone(): void {
    const lines = this.#buffer.length;
    this.#buffer = [];
    this.#closed = true;
    this.#warn(`${this.file}: the home directory ${dirname(this.options.logsDir)} is gone; ${lines} log lines were not written.`);
  }

  /**
   * Appends lines, rolling the file over where the next line would take it past the size (a
   * line longer than the size is a file of its own). Lines appended before an error are taken
   * off `lines`, so that a retry writes each line once.
   */
  #appendLines(lines: string[]): void {
    const max = this.#sub.maxFileBytes;
    const text = `${lines.join('\n')}\n`;
    const bytes = Buffer.byteLength(text);
    // the common case: the whole buffer fits
    if (this.#size + bytes <= max) {
      appendFileSync(this.file, text);
      this.#size += bytes;
      return;
    }
    while (lines.length > 0) {
      let n = 0;
      let chunk = 0;
      while (n < lines.length) {
        const b = Buffer.byteLength(lines[n]!) + 1;
        if (this.#size + chunk + b > max && (n > 0 || this.#size > 0)) break;
        chunk += b;
        n++;
      }
      if (n > 0) {
        appendFileSync(this.file, `${lines.slice(0, n).join('\n')}\n`);
        this.#size += chunk;
        lines.splice(0, n);
      }
      if (lines.length > 0) this.#roll();
    }
  }

  /** Reports a failure once per outage (a new error is a new report). */
  #trouble(error: Error, what = 'cannot be written'): void {
    if (this.#failing === error.message) return;
    this.#failing = error.message;
    this.#warn(`${this.file} ${what}: ${error.message}. Mail keeps flowing; its log lines are kept and written when it can be again.`);
  }

  #format(level: LineLevel, text: string): string {
    // a busy log writes many lines a second: the date is formatted once per second
    const second = Math.floor(this.options.now() / 1000);
    if (second !== this.#second) {
      this.#second = second;
      this.#date = asyncosDate(second * 1000);
    }
    return `${this.#date} ${level}: ${text}`;
  }

  #second = NaN;
  #date = '';

  /** The first lines of a new file, as AsyncOS's begin (IronPort's own tools check the three). */
  #beginLines(): string[] {
    const at = this.options.now();
    this.#begunAt = at;
    // seconds east of UTC at that moment: -14400 for EDT
    const offset = -new Date(at).getTimezoneOffset() * 60;
    return [this.#format('Info', 'Begin Logfile'), ...(this.options.header?.() ?? []).map((t) => this.#format('Info', t)), this.#format('Info', `Time offset from UTC: ${offset} seconds`)];
  }

  /** The current file becomes a rolled one (named by when it began), the oldest beyond the number of files go, and a new file begins. */
  #roll(): void {
    appendFileSync(this.file, `${this.#format('Info', 'Logfile rolled over')}\n`);
    let stamp = Math.floor(this.#begunAt / 1000) * 1000;
    // two files begun in one second (rollovernow twice): the later one a second on, so that the names keep their order
    const taken = new Set(readdirSync(this.dir));
    const newest = rolledFiles(this.dir, this.#prefix).at(-1);
    const after = newest ? stampOf(newest) : null;
    if (after !== null && stamp <= after) stamp = after + 1000;
    while (taken.has(rolledFileName(this.#prefix, stamp))) stamp += 1000;
    renameSync(this.file, join(this.dir, rolledFileName(this.#prefix, stamp)));
    this.#size = 0;
    const rolled = rolledFiles(this.dir, this.#prefix);
    // the current file is one of the files kept
    for (const old of rolled.slice(0, Math.max(0, rolled.length - (this.#sub.maxFiles - 1)))) {
      try {
        unlinkSync(old);
      } catch (error) {
        this.#warn(`${old} could not be removed (more than ${this.#sub.maxFiles} files of ${this.#sub.name}): ${(error as Error).message}`);
      }
    }
    const begin = `${this.#beginLines().join('\n')}\n`;
    appendFileSync(this.file, begin);
    this.#size = Buffer.byteLength(begin);
  }
}
