import type { LogLevel, LogType } from '../config/model.js';

/** The level word of a log line, as AsyncOS writes it after the date (`Info:`, `Warning:` ...). */
export type LineLevel = 'Critical' | 'Warning' | 'Info' | 'Debug' | 'Trace';

/** Lines of each level, least detailed first: a subscription at level L writes the lines at L and below. */
const LINE_RANK: Readonly<Record<LineLevel, number>> = { Critical: 0, Warning: 1, Info: 2, Debug: 3, Trace: 4 };
const SUBSCRIPTION_RANK: Readonly<Record<LogLevel, number>> = { critical: 0, warning: 1, information: 2, debug: 3, trace: 4 };

/** Whether a subscription at `level` writes a line of `line`'s level (information writes Info, Warning and Critical). */
export function levelWrites(level: LogLevel, line: LineLevel): boolean {
  return LINE_RANK[line] <= SUBSCRIPTION_RANK[level];
}

/** One line a log subscription wrote, as its listeners get it. */
export interface LoggedLine {
  /** the subscription's name (`mail_logs`, a user's `siem_mail`): the name a syslog push sends */
  readonly subscription: string;
  readonly type: LogType;
  /** the line's own level (the subscription's level let it through) */
  readonly level: LineLevel;
  /** when it was written, by the appliance clock (ms) */
  readonly at: number;
  /** the text after `<Level>: ` */
  readonly text: string;
  /** the whole line as it stands in the file: `Fri Feb 16 21:19:22 2024 Info: text` */
  readonly line: string;
}

export type LogLineListener = (line: LoggedLine) => void;

/**
 * The lines every log subscription of one appliance writes, handed to whoever listens (the
 * syslog push). The contract:
 * - a listener is called synchronously from the writer's `write`, once per line a subscription
 *   keeps (after its level check), with that subscription's name; a line that two subscriptions
 *   of the same type keep comes twice, once per name;
 * - the line is then in the writer's buffer, not yet in the file (files are written a few times a
 *   second); a file's structure lines (`Begin Logfile`, the version and time offset lines,
 *   `Logfile rolled over`) are not lines of the log's traffic and are not handed on;
 * - a listener must return at once and never block: it runs on the path of every mail event. It
 *   must not throw either; one that does is taken off, and the writer reports it once through its
 *   `warn` (the file is written all the same).
 */
export class LogLines {
  readonly #listeners = new Set<LogLineListener>();
  /** reports a listener that threw (set by the appliance's logs) */
  warn: (text: string) => void = () => undefined;

  /** Adds a listener; returns what takes it off again. */
  on(listener: LogLineListener): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  /** Whether anyone listens: a writer skips making the record when nobody does. */
  get listened(): boolean {
    return this.#listeners.size > 0;
  }

  emit(line: LoggedLine): void {
    for (const listener of this.#listeners) {
      try {
        listener(line);
      } catch (error) {
        this.#listeners.delete(listener);
        this.warn(`A listener of the log lines failed and was taken off: ${(error as Error).message}`);
      }
    }
  }
}
