import { SettingError } from '../engine/operations/setting-error.js';
import { CancelledError } from '../errors.js';
import { decimalValue, wholeNumberIn } from '../commands/numbers.js';
import { PLAIN_STYLES, type LineIO, type Styles } from './line-io.js';

/*
 * AsyncOS dialogs: the Conversation asks menus, lists, text, yes/no and numbers as AsyncOS text,
 * reads a line from whatever front end is attached (ink shell, stdin script, control socket),
 * validates it and asks again after a clear message when the answer is wrong.
 */

/** How often a progress line is redrawn at most: fast enough to look live, cheap on a socket. */
const PROGRESS_INTERVAL_MS = 100;

export const OPERATION_TITLE = 'Choose the operation you want to perform:';

/** An answer a dialog refuses, in AsyncOS's words: the problem is a clause in neutral words. */
export const notValid = (problem: string): string => `That value is not valid: ${problem}.`;

function checked(check: ((answer: string) => string | null) | undefined, answer: string): string | null {
  if (!check) return null;
  try {
    const problem = check(answer);
    return problem === null ? null : notValid(problem);
  } catch (error) {
    // a value that is part of the answer (one entry of a list) is named
    if (error instanceof SettingError) return notValid(error.value === undefined || error.value === answer ? error.problem : `${error.label} "${error.value}": ${error.problem}`);
    throw error;
  }
}

export class Conversation {
  /** the progress line, while one is up: the text not drawn yet (throttled), and when it was last drawn */
  #progress: { pending: string | null; at: number } | null = null;

  constructor(private readonly io: LineIO) {}

  /** The front end's styles for segsim's own words (identity unless it is a colour terminal). */
  get style(): Styles {
    return this.io.styles ?? PLAIN_STYLES;
  }

  /** Prints text; a trailing newline is added. A progress line before it ends, as last drawn. */
  print(text = ''): void {
    this.endProgress();
    this.io.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** Shows a refreshing screen: in place in the ink shell, printed in plain text elsewhere. */
  frame(text: string): void {
    if (this.io.frame) this.io.frame(text);
    else this.print(text);
  }

  /**
   * Runs a live view (tail, tophosts --watch) until `run` returns, which it does when the command's
   * signal aborts: a key that ends live views, Ctrl-C, or the session going away. `footer` says
   * what the view shows; the front end adds which keys end it.
   */
  async live(footer: string, run: () => Promise<void>): Promise<void> {
    this.endProgress();
    if (!this.io.live) return run();
    this.io.live(footer);
    try {
      await run();
    } finally {
      this.io.live(null);
    }
  }

  /**
   * Progress (`Injecting [###---] 40/100`): redrawn in place where the front end can, at most every
   * PROGRESS_INTERVAL_MS, and shown nowhere else. The next print ends it with the last text given,
   * so a summary after it agrees with the bar, also after Ctrl-C.
   */
  progress(text: string): void {
    if (!this.io.progress) return;
    const now = Date.now();
    const p = (this.#progress ??= { pending: null, at: 0 });
    if (now - p.at < PROGRESS_INTERVAL_MS) {
      p.pending = text;
      return;
    }
    this.io.progress(text);
    this.#progress = { pending: null, at: now };
  }

  /** Ends the progress line, drawing the last text given if it was not drawn yet. */
  endProgress(): void {
    const p = this.#progress;
    if (!p) return;
    this.#progress = null;
    if (p.pending !== null) this.io.progress!(p.pending);
    this.io.progress!(null);
  }

  /** An operation menu. Returns the chosen KEYWORD, or null for a blank answer (one level up). */
  async menu(options: { keyword: string; description: string }[], title = OPERATION_TITLE): Promise<string | null> {
    const body = [title, ...options.map((o) => `- ${o.keyword} - ${o.description}`)].join('\n');
    for (;;) {
      const answer = (await this.#read(`\n${body}\n`, '[]> ')).trim();
      if (answer === '') return null;
      const hit = options.find((o) => o.keyword.toLowerCase() === answer.toLowerCase());
      if (hit) return hit.keyword;
      this.print(`\nUnknown option "${answer}". Enter one of: ${options.map((o) => o.keyword).join(', ')}.`);
    }
  }

  /** A numbered list. Returns the 0-based index, or null for a blank answer when allowed. */
  async list(title: string, items: string[], opts: { default?: number; allowBlank?: boolean } = {}): Promise<number | null> {
    const body = [title, ...items.map((item, i) => `${i + 1}. ${item}`)].join('\n');
    for (;;) {
      const answer = (await this.#read(`${body}\n`, `[${opts.default ?? ''}]> `)).trim();
      if (answer === '') {
        if (opts.default !== undefined) return opts.default - 1;
        if (opts.allowBlank) return null;
      } else if (/^\d+$/.test(answer)) {
        const n = Number(answer);
        if (n >= 1 && n <= items.length) return n - 1;
      } else {
        const byName = items.findIndex((item) => item.toLowerCase() === answer.toLowerCase());
        if (byName >= 0) return byName;
      }
      this.print(`You must enter a value from 1 to ${items.length}.`);
    }
  }

  /**
   * A free-text question ending in `[default]> `. `check` finds the problem of an answer in neutral
   * words (a value rule's, or a SettingError it throws), which the dialog says as AsyncOS does:
   * "That value is not valid: <problem>."; `validate` returns a whole message of its own.
   */
  async text(prompt: string, opts: { default?: string; allowBlank?: boolean; check?: (answer: string) => string | null; validate?: (answer: string) => string | null } = {}): Promise<string> {
    for (;;) {
      let answer = (await this.#read(`${prompt}\n`, `[${opts.default ?? ''}]> `)).trim();
      if (answer === '' && opts.default !== undefined) answer = opts.default;
      if (answer === '' && !opts.allowBlank) {
        this.print('You must enter a value.');
        continue;
      }
      const problem = answer === '' ? null : (opts.validate?.(answer) ?? checked(opts.check, answer));
      if (problem === null) return answer;
      this.print(problem);
    }
  }

  /**
   * Pasted text that ends at a blank line (AsyncOS's "Press enter on a blank line to finish."):
   * the lines before it, trimmed; none when the first line is blank. Each line is asked with
   * `[]> `, a dialog's prompt (the shell keeps no history of it and completes no command in it).
   */
  async block(prompt: string): Promise<string[]> {
    const lines: string[] = [];
    for (let line = (await this.#read(`${prompt}\n`, '[]> ')).trim(); line !== ''; line = (await this.#read('', '[]> ')).trim()) lines.push(line);
    return lines;
  }

  /** A Y/N question: `prompt [Y]> `. */
  async yesno(prompt: string, defaultYes: boolean): Promise<boolean> {
    for (;;) {
      const answer = (await this.#read('', `${prompt} [${defaultYes ? 'Y' : 'N'}]> `)).trim().toLowerCase();
      if (answer === '') return defaultYes;
      if (answer === 'y' || answer === 'yes') return true;
      if (answer === 'n' || answer === 'no') return false;
      this.print('Please answer Y or N.');
    }
  }

  /** A whole number within [min, max], by the same rule as numeric flags (decimal digits only). */
  async number(prompt: string, opts: { default?: number; min: number; max: number; unit?: string }): Promise<number> {
    for (;;) {
      const raw = (await this.#read(`${prompt}\n`, `[${opts.default ?? ''}]> `)).trim();
      const n = decimalValue(raw === '' && opts.default !== undefined ? String(opts.default) : raw, opts);
      if (n !== null) return n;
      this.print(`The value must be ${wholeNumberIn(opts)}.`);
    }
  }

  /** Turns paging of this session's output on or off (`setttymode`); nothing where the front end does not page. */
  paging(on: boolean): void {
    this.io.paging?.(on);
  }

  /**
   * AsyncOS's pager between two pages of output: any answer shows the next page, `q` stops.
   * Resolves whether to go on.
   */
  async more(): Promise<boolean> {
    return (await this.#read('', '-Press Any Key For More-')).trim().toLowerCase() !== 'q';
  }

  async #read(before: string, prompt: string): Promise<string> {
    this.endProgress();
    if (before) this.io.write(before);
    const line = await this.io.readLine(prompt);
    if (line === null) throw new CancelledError('End of input');
    return line;
  }
}
