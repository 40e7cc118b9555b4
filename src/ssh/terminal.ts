import { History } from '../conversation/history.js';
import { decodeInput, type KeyEvent } from '../conversation/keys.js';
import { edit, EMPTY_LINE, insert, lineOf, type EditKey, type EditLine } from '../conversation/line-editor.js';
import { endsLiveView, liveFooter } from '../conversation/live-keys.js';
import { PLAIN_STYLES, type LineIO } from '../conversation/line-io.js';
import type { PagerTerminal } from '../conversation/pager.js';
import { CancelledError } from '../errors.js';

/** A PTY's size as the client gave it (and changed it). */
export interface TerminalSize {
  rows: number;
  cols: number;
}

/** What the terminal writes to: an SSH channel's output. */
export interface ChannelOutput {
  write(data: string): unknown;
}

/** The longest line taken (as an exec command): what is typed beyond it is dropped. */
export const MAX_LINE = 16_384;
/** Keys typed ahead while a command runs, at most: more are dropped, never queued without end. */
const MAX_TYPED_AHEAD = 4096;

const CLEAR_SCREEN = '\u001b[H\u001b[2J';
const CLEAR_TO_END = '\u001b[K';
const CLEAR_LINE = '\r\u001b[2K';

/** The editing keys and the line editor's action for each (src/conversation/line-editor.ts). */
const EDIT_KEYS: Readonly<Partial<Record<string, EditKey>>> = {
  left: 'left',
  'ctrl-b': 'left',
  right: 'right',
  'ctrl-f': 'right',
  home: 'home',
  'ctrl-a': 'home',
  end: 'end',
  'ctrl-e': 'end',
  backspace: 'backspace',
  delete: 'delete',
  'ctrl-u': 'kill-to-start',
  'ctrl-k': 'kill-to-end',
  'ctrl-w': 'kill-word-back',
};

/**
 * Splits a chunk of terminal input into keys: several escape sequences (arrows typed fast) and
 * text may arrive in one chunk, each decoded on its own (src/conversation/keys.ts).
 */
function keysOf(data: string): KeyEvent[] {
  const events: KeyEvent[] = [];
  let rest = data;
  while (rest.length > 0) {
    const escape = rest.indexOf('\u001b');
    if (escape !== 0) {
      const text = escape === -1 ? rest : rest.slice(0, escape);
      events.push(...decodeInput(text));
      rest = rest.slice(text.length);
      continue;
    }
    // eslint-disable-next-line no-control-regex
    const sequence = /^\u001b(?:\[[0-9;]*[~A-Za-z]|O[A-Za-z]|[^[O])?/.exec(rest)![0];
    events.push(...decodeInput(sequence));
    rest = rest.slice(sequence.length);
  }
  return events;
}

type Reader =
  { kind: 'line'; prompt: string; line: EditLine; recalled: number; draft: string; resolve(line: string | null): void; reject(error: Error): void } | { kind: 'key'; resolve(key: string): void };

/**
 * The appliance's end of an SSH session's terminal. With a PTY the client's terminal is raw, so
 * this is the line discipline: typed characters are echoed as a terminal's line editor does,
 * editing keys and history redraw the line with plain VT100 sequences only when pressed, output
 * lines end in CR LF, and a page of output waits for a key (PagerTerminal). Without a PTY input is
 * read line by line and nothing is echoed. Prompts and screens carry no colour: tools match them
 * on the raw stream.
 */
export class ChannelTerminal implements LineIO, PagerTerminal {
  readonly styles = PLAIN_STYLES;
  /** keys typed and not yet read (typed ahead while a command runs) */
  readonly #keys: KeyEvent[] = [];
  /** without a PTY: input not yet read, up to its next line break */
  #raw = '';
  /** the rest of a line longer than MAX_LINE is being dropped, until its end */
  #dropping = false;
  #reader: Reader | null = null;
  #live = false;
  #progressShown = false;
  #ended = false;
  #closed = false;

  constructor(
    private readonly output: ChannelOutput,
    private size: TerminalSize | null,
    /** Ctrl-C while a command runs, and a key that ends a live view */
    private readonly interrupt: () => void,
    private readonly history = new History(),
  ) {}

  get pty(): boolean {
    return this.size !== null;
  }

  rows(): number | undefined {
    return this.size?.rows || undefined;
  }

  columns(): number | undefined {
    return this.size?.cols || undefined;
  }

  /** The client's window changed size. */
  resize(size: TerminalSize): void {
    if (this.size) this.size = size;
  }

  /** Input from the client. */
  feed(data: string): void {
    if (this.#closed) return;
    if (!this.size) {
      this.#takeLines(data);
      this.#pumpLines();
      return;
    }
    const keys = keysOf(data);
    this.#keys.push(...keys.slice(0, Math.max(0, MAX_TYPED_AHEAD - this.#keys.length)));
    this.#pumpKeys();
  }

  /**
   * Input without a PTY, line by line. A line longer than MAX_LINE is cut there: its first
   * MAX_LINE characters are the line, the rest until its end is dropped, so memory stays bounded
   * whatever is sent and no tail of it becomes a line of its own.
   */
  #takeLines(data: string): void {
    let text = data;
    if (this.#dropping) {
      const end = text.indexOf('\n');
      if (end < 0) return;
      text = text.slice(end + 1);
      this.#dropping = false;
    }
    const lines = (this.#raw + text).split('\n');
    let rest = lines.pop()!;
    if (rest.length > MAX_LINE) {
      lines.push(rest);
      rest = '';
      this.#dropping = true;
    }
    this.#raw = [...lines.map((line) => line.slice(0, MAX_LINE)), rest].join('\n');
  }

  /** The client sent end of input (EOF on the channel). */
  end(): void {
    this.#ended = true;
    if (this.size) this.#pumpKeys();
    else this.#pumpLines();
  }

  /** The channel is gone: output is dropped and every read from now on is end of input. */
  close(): void {
    this.#closed = true;
    this.#ended = true;
    const reader = this.#reader;
    this.#reader = null;
    if (reader?.kind === 'line') reader.resolve(null);
    if (reader?.kind === 'key') reader.resolve('q');
  }

  write(text: string): void {
    if (this.#closed || text === '') return;
    if (this.#progressShown) this.#endProgress();
    this.output.write(this.size ? text.replace(/\r?\n/g, '\r\n') : text);
  }

  frame(text: string): void {
    if (this.size) this.write(`${CLEAR_SCREEN}${text}\n`);
    else this.write(`${text}\n`);
  }

  live(footer: string | null): void {
    this.#live = footer !== null;
    if (footer === null) return;
    this.write(`${this.size ? liveFooter(footer) : `${footer} Press Ctrl-C to stop.`}\n`);
    if (this.size) this.#pumpKeys();
  }

  progress(text: string | null): void {
    if (!this.size || this.#closed) return;
    if (text === null) {
      if (this.#progressShown) this.#endProgress();
      return;
    }
    this.output.write(`${CLEAR_LINE}${text}`);
    this.#progressShown = true;
  }

  readLine(prompt: string): Promise<string | null> {
    if (this.#closed) return Promise.resolve(null);
    this.write(prompt);
    return new Promise((resolve, reject) => {
      this.#reader = { kind: 'line', prompt, line: EMPTY_LINE, recalled: this.history.length, draft: '', resolve, reject };
      if (this.size) this.#pumpKeys();
      else this.#pumpLines();
    });
  }

  /** The pager's key: a character, `\r` for Enter, `\u0003` for Ctrl-C. */
  readKey(): Promise<string> {
    if (this.#closed) return Promise.resolve('q');
    return new Promise((resolve) => {
      this.#reader = { kind: 'key', resolve };
      this.#pumpKeys();
    });
  }

  #endProgress(): void {
    this.#progressShown = false;
    this.output.write('\r\n');
  }

  #pumpLines(): void {
    const reader = this.#reader;
    if (reader?.kind !== 'line') return;
    const end = this.#raw.indexOf('\n');
    if (end === -1 && !this.#ended) return;
    if (end === -1 && this.#raw === '') {
      this.#reader = null;
      reader.resolve(null);
      return;
    }
    const line = end === -1 ? this.#raw : this.#raw.slice(0, end);
    this.#raw = end === -1 ? '' : this.#raw.slice(end + 1);
    this.#reader = null;
    reader.resolve(line.replace(/\r$/, ''));
  }

  #pumpKeys(): void {
    while (this.#keys.length > 0) {
      const reader = this.#reader;
      if (this.#live || !reader) {
        // a running command: its keys are Ctrl-C (and a live view's stop keys); the rest waits for the next prompt
        const stop = this.#keys.findIndex((k) => (this.#live ? endsLiveView(k) : 'key' in k && k.key === 'ctrl-c'));
        if (stop === -1) {
          if (this.#live) this.#keys.length = 0;
          return;
        }
        this.#keys.splice(0, stop + 1);
        this.interrupt();
        continue;
      }
      const event = this.#keys.shift()!;
      if (reader.kind === 'key') {
        this.#reader = null;
        if ('text' in event) {
          if (event.text.length > 1) this.#keys.unshift({ text: event.text.slice(1) });
          reader.resolve(event.text[0]!);
        } else reader.resolve(event.key === 'ctrl-c' ? '\u0003' : event.key === 'enter' ? '\r' : ' ');
        continue;
      }
      this.#onLineKey(reader, event);
    }
    const reader = this.#reader;
    if (this.#ended && reader) {
      this.#reader = null;
      if (reader.kind === 'line') reader.resolve(null);
      else reader.resolve('q');
    }
  }

  #onLineKey(reader: Extract<Reader, { kind: 'line' }>, event: KeyEvent): void {
    const before = reader.line;
    if ('text' in event) {
      const room = MAX_LINE - before.text.length;
      if (room <= 0) return;
      const typed = event.text.slice(0, room);
      reader.line = insert(before, typed);
      if (before.cursor === before.text.length) this.output.write(typed);
      else this.#redraw(reader);
      return;
    }
    const action = EDIT_KEYS[event.key];
    if (action) {
      reader.line = edit(before, action);
      const after = reader.line;
      if (after.text === before.text && after.cursor === before.cursor) return;
      // the keys that need no redraw move the cursor by one, or rub out the last character
      if (after.text === before.text && Math.abs(after.cursor - before.cursor) === 1) this.output.write(after.cursor < before.cursor ? '\b' : after.text[before.cursor]!);
      else if (action === 'backspace' && before.cursor === before.text.length) this.output.write('\b \b');
      else this.#redraw(reader);
      return;
    }
    switch (event.key) {
      case 'enter':
        this.output.write('\r\n');
        this.history.add(reader.line.text);
        this.#reader = null;
        reader.resolve(reader.line.text);
        return;
      case 'ctrl-c':
        this.output.write('^C\r\n');
        this.#reader = null;
        reader.reject(new CancelledError());
        return;
      case 'ctrl-d':
        if (reader.line.text !== '') {
          reader.line = edit(reader.line, 'delete');
          this.#redraw(reader);
          return;
        }
        this.output.write('\r\n');
        this.#reader = null;
        reader.resolve(null);
        return;
      case 'up':
      case 'ctrl-p':
      case 'down':
      case 'ctrl-n': {
        const back = event.key === 'up' || event.key === 'ctrl-p';
        const next = reader.recalled + (back ? -1 : 1);
        if (next < 0 || next > this.history.length) return;
        if (reader.recalled === this.history.length) reader.draft = reader.line.text;
        reader.recalled = next;
        reader.line = lineOf(next === this.history.length ? reader.draft : this.history.at(next)!);
        this.#redraw(reader);
        return;
      }
      case 'ctrl-l':
        this.output.write(CLEAR_SCREEN);
        this.#redraw(reader);
        return;
      default:
        // Tab, Esc, Ctrl-G, Ctrl-R: nothing here
        return;
    }
  }

  /** The prompt and the line written again, the cursor put back where it stands. */
  #redraw(reader: Extract<Reader, { kind: 'line' }>): void {
    const { text, cursor } = reader.line;
    const back = text.length - cursor;
    const prompt = reader.prompt.slice(reader.prompt.lastIndexOf('\n') + 1);
    this.output.write(`\r${prompt}${text}${CLEAR_TO_END}${back > 0 ? `\u001b[${back}D` : ''}`);
  }
}
