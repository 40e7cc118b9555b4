/**
 * An exec request's command line split into the commands of its batch: `;` ends a command unless
 * it is quoted ('...' or "...") or escaped with a backslash, as the command line's own words are
 * quoted (src/cli/tokenize.ts), so that `dictionaryconfig edit d new "a;b"; commit "x"` is two
 * commands. Quotes are kept: each command is read by the shell as typed. Empty commands
 * (`a;;b`, a trailing `;`) are left out.
 */
export function splitBatch(line: string): string[] {
  const commands: string[] = [];
  let current = '';
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote) {
      if (ch === quote) quote = null;
      if (ch === '\\' && quote === '"' && i + 1 < line.length) current += ch + line[++i];
      else current += ch;
      continue;
    }
    if (ch === '"' || ch === "'") {
      quote = ch;
      current += ch;
    } else if (ch === '\\' && i + 1 < line.length) current += ch + line[++i];
    else if (ch === ';') {
      commands.push(current);
      current = '';
    } else current += ch;
  }
  commands.push(current);
  return commands.map((c) => c.trim()).filter((c) => c !== '');
}
