import { ErrorCodes, UserError } from '../../errors.js';
import { join } from 'node:path';
import { effectiveLogSubscriptions, logFilePrefix, type ApplianceConfig, type LogSubscription, type LogType } from '../config/model.js';
import { currentFileName, currentLogFile, fileLineTime, highestLoggedIds, lastLineTime, logFiles, type LogFileSpan } from './log-files.js';
import { LogLines, type LineLevel } from './log-lines.js';
import { LogWriter } from './log-writer.js';
import { migrateOldLogs } from './migrate-logs.js';

const stderrWarn = (text: string) => void process.stderr.write(`segsim: ${text}\n`);

/**
 * The lines of one log type, written to every subscription of that type (usually one: mail_logs
 * for the mail engine). What a writer offers, over all of them; with no subscription of the type
 * the lines go nowhere, and `written` still calls `onWritten`.
 */
export class LogChannel {
  /** runs after every write of one of its files' buffers (mail counters save here) */
  onWritten: () => void = () => undefined;

  constructor(private readonly writers: () => readonly LogWriter[]) {}

  info(text: string): void {
    this.write('Info', text);
  }

  write(level: LineLevel, text: string): void {
    for (const writer of this.writers()) writer.write(level, text);
  }

  /** Resolves once every line so far is in each file (see LogWriter.written). */
  written(): Promise<void> {
    const writers = this.writers();
    // one subscription (the usual case): its own promise, nothing more on every SMTP reply's path
    if (writers.length === 1) return writers[0]!.written();
    if (writers.length === 0) {
      this.onWritten();
      return Promise.resolve();
    }
    return Promise.all(writers.map((w) => w.written())).then(() => undefined);
  }

  flush(): void {
    const writers = this.writers();
    if (writers.length === 0) this.onWritten();
    for (const writer of writers) writer.flush();
  }
}

export interface ApplianceLogsOptions {
  /** the home's logs/ directory */
  logsDir: string;
  now: () => number;
  /** the configuration the subscriptions are read from, now */
  config: () => Readonly<ApplianceConfig>;
  /** the lines after `Begin Logfile` at the top of each new file */
  header: () => string[];
}

/**
 * The log subscriptions of one appliance (logconfig): a LogWriter for each, made at its first
 * line, following the committed configuration (`apply`). Mail, system, authentication and web
 * lines are written here by type (`channel`), whichever process writes them: a one-shot command's
 * commit writes its system_logs line from that process. `lines` hands every written line on to
 * whoever listens (the syslog push). A home in the layout before subscriptions is moved to it
 * when this is made (migrate-logs.ts); what could not be moved is named in `problems`.
 */
export class ApplianceLogs {
  readonly lines = new LogLines();
  /** what a home's old logs left to say (files kept aside or not moved), until reported */
  readonly problems: string[];
  #warn: (text: string) => void = stderrWarn;
  readonly #writers = new Map<string, LogWriter>();
  readonly #byType = new Map<LogType, LogWriter[]>();
  readonly #channels = new Map<LogType, LogChannel>();
  #subs: LogSubscription[];

  constructor(private readonly options: ApplianceLogsOptions) {
    this.problems = migrateOldLogs(options.logsDir, options.now());
    this.#subs = effectiveLogSubscriptions(options.config());
    this.lines.warn = (text) => this.#warn(text);
    // kept in system_logs whatever process moved the files; the running engine also says them on the terminal
    for (const problem of this.problems) this.write('system_logs', 'Warning', problem);
  }

  /** Where a file that cannot be written, or a listener that failed, is reported (stderr by default; the running engine's warn). */
  set warn(warn: (text: string) => void) {
    this.#warn = warn;
  }

  /** The subscriptions in effect, in the configuration's order. */
  get subscriptions(): readonly LogSubscription[] {
    return this.#subs;
  }

  subscription(name: string): LogSubscription | undefined {
    return this.#subs.find((s) => s.name === name);
  }

  /** The lines of one type of log, for the part of the appliance that writes them. */
  channel(type: LogType): LogChannel {
    let channel = this.#channels.get(type);
    if (!channel) this.#channels.set(type, (channel = new LogChannel(() => this.#writersOf(type))));
    return channel;
  }

  write(type: LogType, level: LineLevel, text: string): void {
    this.channel(type).write(level, text);
  }

  #writersOf(type: LogType): readonly LogWriter[] {
    let writers = this.#byType.get(type);
    if (!writers) this.#byType.set(type, (writers = this.#subs.filter((s) => s.type === type).map((s) => this.#writer(s))));
    return writers;
  }

  #writer(sub: LogSubscription): LogWriter {
    let writer = this.#writers.get(sub.name);
    if (!writer) {
      writer = new LogWriter({ logsDir: this.options.logsDir, subscription: sub, now: this.options.now, header: this.options.header, lines: this.lines, warn: () => this.#warn });
      const channel = this.channel(sub.type);
      writer.onWritten = () => channel.onWritten();
      this.#writers.set(sub.name, writer);
    }
    return writer;
  }

  /**
   * Takes the subscriptions of a newly committed configuration: a new one begins at its first
   * line, a deleted one (or one whose type changed) is written out and closed, its files left
   * where they are; a changed level, size or number of files applies from the next line.
   */
  apply(config: Readonly<ApplianceConfig>): void {
    this.#subs = effectiveLogSubscriptions(config);
    for (const [name, writer] of this.#writers) {
      const sub = this.subscription(name);
      if (sub && sub.type === writer.subscription.type) writer.reconfigure(sub);
      else {
        writer.close();
        this.#writers.delete(name);
      }
    }
    this.#byType.clear();
  }

  /**
   * Rolls the current file of the named subscriptions over now (rollovernow; every subscription
   * when none is named). Refused, naming the subscriptions, for a name that is none of them.
   */
  rollover(names: readonly string[] = []): string[] {
    const unknown = names.filter((n) => !this.subscription(n));
    if (unknown.length > 0) {
      throw new UserError(`Unknown log subscription "${unknown[0]}". Log subscriptions: ${this.#subs.map((s) => s.name).join(', ')}.`, ErrorCodes.notFound);
    }
    const chosen = names.length === 0 ? this.#subs : this.#subs.filter((s) => names.includes(s.name));
    for (const sub of chosen) {
      try {
        this.#writer(sub).rollover();
      } catch (error) {
        throw new UserError(`Unable to roll over ${sub.name}: ${(error as Error).message}.`, ErrorCodes.io);
      }
    }
    return chosen.map((s) => s.name);
  }

  /** Writes every buffered line now (at stop, and before a reader looks at the files). */
  flush(): void {
    for (const writer of this.#writers.values()) writer.flush();
  }

  /** A subscription's files, oldest rolled file first, the current file last (what it has written so far). */
  files(name: string): string[] {
    this.#writers.get(name)?.flush();
    return logFiles(this.options.logsDir, name);
  }

  /** Where a subscription's current file is, or begins at its first line (`logs/mail_logs/mail.current`). */
  currentPath(sub: LogSubscription): string {
    this.#writers.get(sub.name)?.flush();
    return join(this.options.logsDir, sub.name, currentFileName(logFilePrefix(sub)));
  }

  /** A subscription's files with the time each covers (first and last dated line), oldest first. */
  spans(name: string): LogFileSpan[] {
    return this.files(name).map((file) => ({ file, first: fileLineTime(file, 'first'), last: fileLineTime(file, 'last') }));
  }

  /** The highest MID, ICID and DCID the mail logs mention (to rebuild a lost state/ids.json). */
  highestMailIds(): { mid: number; icid: number; dcid: number } {
    return highestLoggedIds(this.#subs.filter((s) => s.type === 'mail_logs').flatMap((s) => logFiles(this.options.logsDir, s.name)));
  }

  /** The time of the newest line of any subscription (read from the end of each current file), or null. */
  lastLineTime(): number | null {
    return lastLineTime(this.#subs.flatMap((s) => currentLogFile(this.options.logsDir, s.name) ?? []));
  }
}
