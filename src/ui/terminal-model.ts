import type { LineIO } from '../commands/dialog.js';
import { CancelledError } from '../errors.js';

export interface ScreenLine {
  id: number;
  text: string;
}

export interface TerminalSnapshot {
  /** finished lines: scrollback */
  lines: ScreenLine[];
  /** text written after the last newline */
  partial: string;
  /** the live, refreshing region (tophosts --watch), or null */
  frame: string | null;
  /** the prompt of the pending read, or null while a command runs */
  prompt: string | null;
  buffer: string;
}

interface PendingRead {
  resolve: (line: string | null) => void;
  reject: (error: Error) => void;
}

export type Key = 'enter' | 'backspace' | 'up' | 'down' | 'ctrl-c' | 'ctrl-d';

/**
 * The state of the interactive terminal, apart from React: written text, the pending prompt,
 * the edit buffer and command history. It implements LineIO for the shell and takes keys from
 * the ink view; tests drive it directly.
 */
export class TerminalModel implements LineIO {
  #snapshot: TerminalSnapshot = { lines: [], partial: '', frame: null, prompt: null, buffer: '' };
  #nextId = 0;
  #pending: PendingRead | null = null;
  /** lines entered while a command was still running (type-ahead) */
  readonly #typeahead: string[] = [];
  readonly #history: string[] = [];
  #historyIndex = 0;
  readonly #listeners = new Set<() => void>();

  constructor(private readonly onInterrupt: () => void = () => undefined) {}

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  getSnapshot = (): TerminalSnapshot => this.#snapshot;

  write(text: string): void {
    const parts = (this.#snapshot.partial + text).split('\n');
    const partial = parts.pop() ?? '';
    this.#update({ lines: [...this.#snapshot.lines, ...parts.map((t) => this.#line(t))], partial });
  }

  frame(text: string): void {
    this.#update({ frame: text });
  }

  readLine(prompt: string): Promise<string | null> {
    const lines = this.#snapshot.frame === null ? this.#snapshot.lines : [...this.#snapshot.lines, ...this.#snapshot.frame.split('\n').map((t) => this.#line(t))];
    const fullPrompt = this.#snapshot.partial + prompt;
    this.#historyIndex = this.#history.length;
    const early = this.#typeahead.shift();
    if (early !== undefined) {
      this.#update({ lines: [...lines, this.#line(fullPrompt + early)], frame: null, partial: '' });
      return Promise.resolve(early);
    }
    this.#update({ lines, frame: null, prompt: fullPrompt, partial: '' });
    return new Promise((resolve, reject) => {
      this.#pending = { resolve, reject };
    });
  }

  /** Typed text (already filtered of control keys). */
  type(text: string): void {
    if (this.#stopLiveView()) return;
    this.#update({ buffer: this.#snapshot.buffer + text.replace(/[\r\n]/g, '') });
  }

  key(key: Key): void {
    const { prompt, buffer } = this.#snapshot;
    switch (key) {
      case 'enter':
        if (this.#stopLiveView()) return;
        if (buffer.trim() !== '' && this.#history.at(-1) !== buffer) this.#history.push(buffer);
        if (prompt === null) {
          this.#typeahead.push(buffer);
          this.#update({ buffer: '' });
          return;
        }
        this.#settle({ lines: [...this.#snapshot.lines, this.#line(prompt + buffer)] }, (p) => p.resolve(buffer));
        return;
      case 'backspace':
        this.#update({ buffer: buffer.slice(0, -1) });
        return;
      case 'up':
      case 'down': {
        if (this.#history.length === 0) return;
        const delta = key === 'up' ? -1 : 1;
        this.#historyIndex = Math.min(this.#history.length, Math.max(0, this.#historyIndex + delta));
        this.#update({ buffer: this.#history[this.#historyIndex] ?? '' });
        return;
      }
      case 'ctrl-c':
        this.onInterrupt();
        this.#typeahead.length = 0;
        if (prompt !== null) this.#settle({ lines: [...this.#snapshot.lines, this.#line(`${prompt}${buffer}^C`)] }, (p) => p.reject(new CancelledError()));
        return;
      case 'ctrl-d':
        if (prompt !== null && buffer === '') this.#settle({ lines: [...this.#snapshot.lines, this.#line(prompt)] }, (p) => p.resolve(null));
        return;
    }
  }

  #settle(change: Partial<TerminalSnapshot>, act: (pending: PendingRead) => void): void {
    const pending = this.#pending;
    this.#pending = null;
    this.#update({ ...change, prompt: null, buffer: '' });
    if (pending) act(pending);
  }

  /** Any key ends a refreshing view (tophosts --watch), as on the appliance. */
  #stopLiveView(): boolean {
    if (this.#snapshot.frame === null || this.#snapshot.prompt !== null) return false;
    this.onInterrupt();
    return true;
  }

  #line(text: string): ScreenLine {
    return { id: this.#nextId++, text };
  }

  #update(change: Partial<TerminalSnapshot>): void {
    this.#snapshot = { ...this.#snapshot, ...change };
    for (const listener of this.#listeners) listener();
  }
}
