import { EventEmitter } from 'node:events';
import { appendFileSync, existsSync, renameSync, statSync } from 'node:fs';
import { ensureDir } from '../home.js';
import { asyncosDate } from '../time-format.js';
import { dirname } from 'node:path';

export type LogLevel = 'Info' | 'Warning' | 'Debug' | 'Critical';

/**
 * mail_logs, in AsyncOS's text form (`Fri Feb 16 21:19:22 2024 Info: text`). Lines are buffered
 * and appended a few times a second; the file rolls over by size (mail_logs.1, .2, ...). Every
 * line is also emitted as a 'line' event.
 */
export class MailLog extends EventEmitter {
  #buffer: string[] = [];
  #timer: NodeJS.Timeout | null = null;
  #size: number;

  constructor(
    private readonly file: string,
    private readonly now: () => number,
    private readonly maxBytes = 10 * 1024 * 1024,
    private readonly keep = 10,
  ) {
    super();
    ensureDir(dirname(file));
    this.#size = existsSync(file) ? statSync(file).size : 0;
    if (this.#size === 0) this.#buffer.push(this.#format('Info', 'Begin Logfile'));
  }

  info(text: string): void {
    this.write('Info', text);
  }

  write(level: LogLevel, text: string): void {
    const line = this.#format(level, text);
    this.#buffer.push(line);
    this.emit('line', line);
    this.#timer ??= setTimeout(() => this.flush(), 50);
  }

  /** Writes buffered lines now (also at stop, so nothing is lost on a clean exit). */
  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#buffer.length === 0) return;
    const text = `${this.#buffer.join('\n')}\n`;
    this.#buffer = [];
    appendFileSync(this.file, text);
    this.#size += Buffer.byteLength(text);
    if (this.#size >= this.maxBytes) this.#rotate();
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
