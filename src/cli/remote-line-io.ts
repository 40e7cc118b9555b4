import type { LineIO, Styles } from '../conversation/line-io.js';
import { CancelledError } from '../errors.js';

/**
 * The appliance's end of an attached shell: what the shell writes goes to the terminal on the
 * other end of the control socket, and each prompt waits for the line typed there.
 */
export class RemoteLineIO implements LineIO {
  #pending: { resolve: (line: string | null) => void; reject: (error: Error) => void } | null = null;
  #closed = false;

  constructor(
    private readonly send: (message: { out: string } | { frame: string } | { ask: string } | { live: string | null } | { progress: string | null } | { paging: boolean }) => void,
    /** the styles of the terminal at the other end (its colour level, sent when it attached) */
    readonly styles?: Styles,
  ) {}

  write(text: string): void {
    this.send({ out: text });
  }

  frame(text: string): void {
    this.send({ frame: text });
  }

  live(footer: string | null): void {
    this.send({ live: footer });
  }

  progress(text: string | null): void {
    this.send({ progress: text });
  }

  /** setttymode: the pager is the terminal's, at the other end */
  paging(on: boolean): void {
    this.send({ paging: on });
  }

  readLine(prompt: string): Promise<string | null> {
    if (this.#closed) return Promise.resolve(null);
    this.send({ ask: prompt });
    return new Promise((resolve, reject) => {
      this.#pending = { resolve, reject };
    });
  }

  /** The line typed at the other end, or null for end of input. */
  answer(line: string | null): void {
    const pending = this.#pending;
    this.#pending = null;
    pending?.resolve(line);
  }

  /** Ctrl-C at a prompt on the other end. */
  cancel(): void {
    const pending = this.#pending;
    this.#pending = null;
    pending?.reject(new CancelledError());
  }

  /** The other end is gone: every read from now on is end of input. */
  close(): void {
    this.#closed = true;
    this.answer(null);
  }
}
