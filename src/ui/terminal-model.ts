import { PLAIN_STYLES, type LineIO, type Styles } from '../conversation/line-io.js';
import { CancelledError } from '../errors.js';
import { markChanges } from './changed-cells.js';
import { complete, type CompletionSource } from './completion.js';
import { History } from '../conversation/history.js';
import type { Key, KeyEvent } from '../conversation/keys.js';
import { edit, EMPTY_LINE, insert, lineOf, type EditKey, type EditLine } from '../conversation/line-editor.js';
import { endsLiveView, liveFooter } from '../conversation/live-keys.js';

export interface ScreenLine {
  id: number;
  text: string;
}

export interface TerminalSnapshot {
  /**
   * finished lines not printed yet: the view prints them once (ink's <Static>) and says so
   * (`printed`), after which they leave the state; the terminal keeps the scrollback, not this
   */
  lines: ScreenLine[];
  /** text written after the last newline */
  partial: string;
  /** the live, refreshing region (tophosts --watch), or null */
  frame: string | null;
  /** the progress line, redrawn in place, or null */
  progress: string | null;
  /** the footer of the running live view (which keys end it), or null */
  live: string | null;
  /** the prompt of the pending read, or null while a command runs */
  prompt: string | null;
  /** the line being edited, and the cursor in it */
  buffer: string;
  cursor: number;
  /** reverse-i-search (Ctrl-R) in progress: what is searched for, and whether nothing matches */
  search: { query: string; failed: boolean } | null;
  /** how many times the screen was cleared (Ctrl-L); the view clears the terminal when it grows */
  clears: number;
}

interface PendingRead {
  resolve: (line: string | null) => void;
  reject: (error: Error) => void;
}

export interface TerminalModelOptions {
  /** how segsim's own words are styled on this terminal (plain by default) */
  styles?: Styles;
  /** what Tab completes at the command prompt; no completion without it */
  completion?: CompletionSource;
  /** false where nothing is redrawn (CI): progress is not shown, only the summary after it */
  progress?: boolean;
}

/** Keys that edit the line, with their readline names (Ctrl-B/F move as the arrows do). */
const EDIT_KEYS: Partial<Record<Key, EditKey>> = {
  left: 'left',
  right: 'right',
  home: 'home',
  end: 'end',
  backspace: 'backspace',
  delete: 'delete',
  'ctrl-a': 'home',
  'ctrl-e': 'end',
  'ctrl-b': 'left',
  'ctrl-f': 'right',
  'ctrl-u': 'kill-to-start',
  'ctrl-k': 'kill-to-end',
  'ctrl-w': 'kill-word-back',
};

/** Dialog prompts end in `[default]> `; the command prompt (`hostname> `) does not. */
function isCommandPrompt(prompt: string): boolean {
  return !prompt.endsWith(']> ');
}

interface Search {
  query: string;
  /** the history entry shown, or history.length before the first match */
  index: number;
  failed: boolean;
  /** the line before Ctrl-R, restored by Ctrl-G */
  original: EditLine;
}

/**
 * The state of the interactive terminal, apart from React: written text, the pending prompt, the
 * line editor (cursor, kill keys, history with reverse search, Tab completion). It implements
 * LineIO for the shell and takes keys from the ink view; tests drive it directly.
 */
export class TerminalModel implements LineIO {
  #snapshot: TerminalSnapshot = { lines: [], partial: '', frame: null, progress: null, live: null, prompt: null, buffer: '', cursor: 0, search: null, clears: 0 };
  #nextId = 0;
  #pending: PendingRead | null = null;
  /** lines entered while a command was still running (type-ahead) */
  readonly #typeahead: string[] = [];
  readonly #history = new History();
  #historyIndex = 0;
  /** the line being typed before Up recalled history, given back by Down */
  #draft: EditLine = EMPTY_LINE;
  #search: Search | null = null;
  #lastQuery = '';
  readonly #listeners = new Set<() => void>();
  readonly styles: Styles;
  readonly #completion?: CompletionSource;
  readonly #showsProgress: boolean;
  /** the last frame as the command gave it, to mark what the next one changes */
  #lastFrame: string | null = null;
  /** a live view ended and the next prompt is not up yet: keys still belong to the view */
  #liveEnding = false;
  /** the text after the last newline as written, carriage returns and all (`partial` is what shows) */
  #rawPartial = '';
  /** a pending readKey: the next key is its */
  #keyRead: ((key: string) => void) | null = null;

  constructor(
    private readonly onInterrupt: () => void = () => undefined,
    options: TerminalModelOptions = {},
  ) {
    this.styles = options.styles ?? PLAIN_STYLES;
    this.#completion = options.completion;
    this.#showsProgress = options.progress ?? true;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  getSnapshot = (): TerminalSnapshot => this.#snapshot;

  write(text: string): void {
    const parts = (this.#rawPartial + text).split('\n');
    this.#rawPartial = parts.pop() ?? '';
    this.#update({ lines: this.#finished(...parts.map(overwritten)), partial: overwritten(this.#rawPartial) });
  }

  /**
   * The next key pressed, whatever else is going on (the pager's `-Press Any Key For More-`): a
   * character, `\r` for Enter, `\u0003` for Ctrl-C (which also interrupts the command).
   */
  readKey(): Promise<string> {
    return new Promise((resolve) => (this.#keyRead = resolve));
  }

  /**
   * The view printed the finished lines up to `lastId`: they leave the state, so that a long
   * `tail` costs what is on screen, not everything ever shown.
   */
  printed(lastId: number): void {
    const { lines } = this.#snapshot;
    const kept = lines.findIndex((l) => l.id > lastId);
    if (kept === 0) return;
    this.#update({ lines: kept === -1 ? [] : lines.slice(kept) });
  }

  frame(text: string): void {
    const shown = this.styles === PLAIN_STYLES ? text : markChanges(this.#lastFrame, text, this.styles.changed);
    this.#lastFrame = text;
    this.#update({ frame: shown });
  }

  progress(text: string | null): void {
    if (!this.#showsProgress) return;
    if (text !== null) return this.#update({ progress: text });
    this.#endProgress();
  }

  live(footer: string | null): void {
    this.#lastFrame = null;
    if (footer !== null) return this.#update({ live: liveFooter(footer) });
    this.#liveEnding = true;
    this.#update({ live: null });
  }

  readLine(prompt: string): Promise<string | null> {
    this.#endProgress();
    // the last screen of a refreshing view stays above the prompt, as printed text
    const lines = this.#snapshot.frame === null ? this.#snapshot.lines : this.#finished(...this.#snapshot.frame.split('\n'));
    const fullPrompt = overwritten(this.#rawPartial + prompt);
    this.#rawPartial = '';
    this.#historyIndex = this.#history.length;
    this.#draft = EMPTY_LINE;
    this.#lastFrame = null;
    this.#liveEnding = false;
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
    if (this.#keyTaken(text)) return;
    if (this.#liveViewTakes({ text })) return;
    const typed = text.replace(/[\r\n]/g, '');
    if (this.#search) return this.#find(this.#search.query + typed, this.#search.index);
    this.#edit(insert(this.#current(), typed));
  }

  key(key: Key): void {
    if (this.#keyTaken(key === 'enter' ? '\r' : key === 'ctrl-c' ? '\u0003' : key)) {
      if (key === 'ctrl-c') this.onInterrupt();
      return;
    }
    if (this.#liveViewTakes({ key })) return;
    if (this.#search && this.#searchKey(key)) return;
    const { prompt, buffer } = this.#snapshot;
    const editKey = EDIT_KEYS[key];
    if (editKey) return this.#edit(edit(this.#current(), editKey));
    switch (key) {
      case 'enter':
        this.#history.add(buffer);
        if (prompt === null) {
          this.#typeahead.push(buffer);
          this.#edit(EMPTY_LINE);
          return;
        }
        this.#settle({ lines: this.#finished(prompt + buffer) }, (p) => p.resolve(buffer));
        return;
      case 'tab':
        this.#complete();
        return;
      case 'up':
      case 'ctrl-p':
        this.#recall(this.#historyIndex - 1);
        return;
      case 'down':
      case 'ctrl-n':
        this.#recall(this.#historyIndex + 1);
        return;
      case 'ctrl-r':
        if (prompt === null) return;
        this.#search = { query: '', index: this.#history.length, failed: false, original: this.#current() };
        this.#update({ search: { query: '', failed: false } });
        return;
      case 'ctrl-l':
        this.#update({ clears: this.#snapshot.clears + 1 });
        return;
      case 'ctrl-c':
        this.onInterrupt();
        this.#typeahead.length = 0;
        if (prompt !== null) this.#settle({ lines: this.#finished(`${prompt}${buffer}^C`) }, (p) => p.reject(new CancelledError()));
        return;
      case 'ctrl-d':
        // on an empty line: end of input; otherwise it deletes the character under the cursor
        if (prompt !== null && buffer === '') this.#settle({ lines: this.#finished(prompt) }, (p) => p.resolve(null));
        else this.#edit(edit(this.#current(), 'delete'));
        return;
      case 'escape':
      case 'ctrl-g':
        return;
    }
  }

  #current(): EditLine {
    return { text: this.#snapshot.buffer, cursor: this.#snapshot.cursor };
  }

  #edit(line: EditLine): void {
    this.#update({ buffer: line.text, cursor: line.cursor });
  }

  /** Up/Down: older and newer history entries; below the newest, the line that was being typed. */
  #recall(index: number): void {
    if (index < 0 || index > this.#history.length || index === this.#historyIndex) return;
    if (this.#historyIndex === this.#history.length) this.#draft = this.#current();
    this.#historyIndex = index;
    this.#edit(index === this.#history.length ? this.#draft : lineOf(this.#history.at(index)!));
  }

  #complete(): void {
    const { prompt } = this.#snapshot;
    if (!this.#completion || prompt === null || !isCommandPrompt(prompt)) return;
    const { line, candidates } = complete(this.#current(), this.#completion);
    if (candidates.length === 0) return this.#edit(line);
    // as bash lists them: the line so far, the choices, and the prompt again with the same line
    this.#update({ lines: this.#finished(prompt + this.#snapshot.buffer, candidates.join('  ')) });
  }

  /** Shows the newest entry at or before `from` containing `query`; the line stays when none does. */
  #find(query: string, from: number): void {
    const search = this.#search!;
    const index = this.#history.searchBack(query, from);
    search.query = query;
    search.failed = index === -1;
    if (index !== -1) {
      search.index = index;
      const text = this.#history.at(index)!;
      this.#update({ buffer: text, cursor: Math.max(0, text.indexOf(query)), search: { query, failed: false } });
    } else this.#update({ search: { query, failed: true } });
  }

  /**
   * A key during reverse-i-search, as bash takes it: Ctrl-R finds an older match, Backspace shortens
   * the query, Ctrl-G gives the original line back, Esc keeps the match for editing; any other key
   * keeps the match and then acts (Enter runs it). Returns whether the key was used up.
   */
  #searchKey(key: Key): boolean {
    const search = this.#search!;
    switch (key) {
      case 'ctrl-r': {
        const query = search.query || this.#lastQuery;
        if (query) this.#find(query, search.index - 1);
        return true;
      }
      case 'backspace':
        this.#find(search.query.slice(0, -1), this.#history.length - 1);
        return true;
      case 'ctrl-g':
        this.#leaveSearch();
        this.#edit(search.original);
        return true;
      case 'escape':
        this.#leaveSearch();
        return true;
      default:
        this.#leaveSearch();
        return false;
    }
  }

  #leaveSearch(): void {
    const search = this.#search!;
    if (search.query) this.#lastQuery = search.query;
    if (!search.failed && search.index < this.#history.length) this.#historyIndex = search.index;
    this.#search = null;
    this.#update({ search: null });
  }

  #settle(change: Partial<TerminalSnapshot>, act: (pending: PendingRead) => void): void {
    const pending = this.#pending;
    this.#pending = null;
    this.#update({ ...change, prompt: null, buffer: '', cursor: 0 });
    if (pending) act(pending);
  }

  #keyTaken(key: string): boolean {
    const read = this.#keyRead;
    if (!read) return false;
    this.#keyRead = null;
    read(key);
    return true;
  }

  /**
   * While a live view runs (and until the prompt after it is up), every key is the view's: q, Esc,
   * Enter and Ctrl-C end it, the others are dropped. None reaches the next prompt.
   */
  #liveViewTakes(event: KeyEvent): boolean {
    if (this.#snapshot.prompt !== null || (this.#snapshot.live === null && !this.#liveEnding)) return false;
    if (endsLiveView(event)) this.onInterrupt();
    return true;
  }

  /** The progress line stays on screen as printed text, as last drawn. */
  #endProgress(): void {
    const { progress } = this.#snapshot;
    if (progress !== null) this.#update({ lines: this.#finished(progress), progress: null });
  }

  /** The lines not printed yet, and these after them. */
  #finished(...texts: string[]): ScreenLine[] {
    return [...this.#snapshot.lines, ...texts.map((t) => this.#line(t))];
  }

  #line(text: string): ScreenLine {
    return { id: this.#nextId++, text };
  }

  #update(change: Partial<TerminalSnapshot>): void {
    this.#snapshot = { ...this.#snapshot, ...change };
    for (const listener of this.#listeners) listener();
  }
}

/**
 * A line as a terminal leaves it: after a carriage return the text starts over at the left and
 * covers what was there (the pager's prompt, erased with `\r<spaces>\r`, leaves nothing).
 */
function overwritten(line: string): string {
  if (!line.includes('\r')) return line;
  return line.split('\r').reduce((shown, next) => next + shown.slice(next.length).trimEnd());
}
