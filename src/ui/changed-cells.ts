/**
 * Marks what changed between two refreshes of a screen: on each line, a cell (a run of non-blank
 * characters) is passed through `mark` when the same columns held other text before. Only escape
 * codes are added, so a screen is unchanged character for character; with plain styles it is
 * returned as given.
 */
export function markChanges(previous: string | null, next: string, mark: (cell: string) => string): string {
  if (previous === null) return next;
  const before = previous.split('\n');
  return next
    .split('\n')
    .map((line, i) => {
      const old = before[i];
      if (old === undefined || old === line) return line;
      return line.replace(/\S+/g, (cell, at: number) => (old.slice(at, at + cell.length) === cell && !/\S/.test(old[at + cell.length] ?? '') && !/\S/.test(old[at - 1] ?? '') ? cell : mark(cell)));
    })
    .join('\n');
}
