/** The lines entered in this terminal, oldest first (blank lines and repeats of the last are not kept). */
export class History {
  readonly #entries: string[] = [];

  get length(): number {
    return this.#entries.length;
  }

  at(index: number): string | undefined {
    return this.#entries[index];
  }

  add(line: string): void {
    if (line.trim() !== '' && this.#entries.at(-1) !== line) this.#entries.push(line);
  }

  /** The newest entry at or before `from` that contains `query`, or -1 (reverse-i-search). */
  searchBack(query: string, from: number): number {
    for (let i = Math.min(from, this.#entries.length - 1); i >= 0; i--) if (this.#entries[i]!.includes(query)) return i;
    return -1;
  }
}
