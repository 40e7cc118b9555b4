import { stripVTControlCharacters } from 'node:util';
import type { LineIO } from './line-io.js';

/** The prompt AsyncOS shows when output fills the terminal (asyncos-cli.md §1.2, ecosystem.md). */
export const MORE_PROMPT = '-Press Any Key For More-';
/** How the appliance takes the prompt away again: the line overwritten with spaces. */
export const ERASE_MORE = `\r${' '.repeat(MORE_PROMPT.length)}\r`;

/** What the pager needs of a terminal: the shell's ink view, or an SSH channel with a PTY (src/ssh/terminal.ts). */
export interface PagerTerminal {
  /** writes text as it is */
  write(text: string): void;
  /** the next key pressed: a character, `\r` for Enter, `\u0003` for Ctrl-C */
  readKey(): Promise<string>;
  /** the terminal's height and width now (they change when it is resized); undefined: unknown */
  rows(): number | undefined;
  columns(): number | undefined;
}

/** Keys that stop the output at the prompt; any other goes on. */
const STOPS = new Set(['q', 'Q', '\u0003']);

/**
 * AsyncOS's pager over a terminal's output, page by page: when the lines written since the last
 * input fill the terminal (one row kept for the prompt), `-Press Any Key For More-` waits for a
 * key; `q` (or Ctrl-C) drops the rest of the output until the next input, any other key shows the
 * next page. Writes are never refused: they queue while the prompt waits. Off, or while a live
 * view runs, text goes straight through.
 */
export class Pager {
  #enabled = true;
  #live = false;
  /** terminal rows filled since the last input */
  #rows = 0;
  /** q at the prompt: output is dropped until the next input */
  #dropping = false;
  readonly #queue: string[] = [];
  /** a drain runs: cleared in the same turn as its last look at the queue, so no write is left behind */
  #busy = false;
  #draining: Promise<void> = Promise.resolve();

  constructor(private readonly terminal: PagerTerminal) {}

  get enabled(): boolean {
    return this.#enabled;
  }

  /** `setttymode`: paging on or off for the rest of the session. */
  set enabled(on: boolean) {
    this.#enabled = on;
  }

  write(text: string): void {
    if (this.#dropping) return;
    this.#queue.push(text);
    if (this.#busy) return;
    this.#busy = true;
    this.#draining = this.#drain();
  }

  /** Resolves once everything written has been shown (or dropped). */
  async idle(): Promise<void> {
    while (this.#busy) await this.#draining;
  }

  /** The user typed a line: the next page starts here. */
  input(): void {
    this.#rows = 0;
    this.#dropping = false;
  }

  /** A live view starts (true) or ends: its output is never paged, and a page starts after it. */
  live(running: boolean): void {
    this.#live = running;
    this.#dropping = false;
    this.#rows = 0;
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const text = this.#queue.shift()!;
        for (const line of text.split(/(?<=\n)/)) {
          const page = this.#pageRows();
          if (page !== null && this.#rows >= page) {
            this.terminal.write(MORE_PROMPT);
            const key = await this.terminal.readKey();
            this.terminal.write(ERASE_MORE);
            this.#rows = 0;
            if (STOPS.has(key)) {
              this.#dropping = true;
              this.#queue.length = 0;
              return;
            }
          }
          this.terminal.write(line);
          if (line.endsWith('\n')) this.#rows += this.#rowsOf(line);
        }
      }
    } finally {
      this.#busy = false;
    }
  }

  /** The rows of a page now, or null when nothing is paged. */
  #pageRows(): number | null {
    const rows = this.terminal.rows();
    if (!this.#enabled || this.#live || rows === undefined || rows < 2) return null;
    return rows - 1;
  }

  /** How many terminal rows a line takes: long lines wrap. */
  #rowsOf(line: string): number {
    const width = stripVTControlCharacters(line.replace(/\r?\n$/, '')).length;
    const columns = this.terminal.columns();
    return columns ? Math.max(1, Math.ceil(width / columns)) : 1;
  }
}

/**
 * A shell's LineIO with the pager in front of its output: each prompt waits until the output
 * before it is shown, and starts a new page. Live views and refreshing screens are not paged.
 */
export function pagedLineIO(io: LineIO, pager: Pager): LineIO {
  return {
    styles: io.styles,
    write: (text) => pager.write(text),
    async readLine(prompt) {
      await pager.idle();
      pager.input();
      return io.readLine(prompt);
    },
    ...(io.frame ? { frame: (text: string) => io.frame!(text) } : {}),
    ...(io.progress ? { progress: (text: string | null) => io.progress!(text) } : {}),
    ...(io.live
      ? {
          live: (footer: string | null) => {
            pager.live(footer !== null);
            io.live!(footer);
          },
        }
      : {}),
    paging: (on) => void (pager.enabled = on),
  };
}
