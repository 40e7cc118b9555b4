import type { CommandSpec, FlagSpec } from '../commands/types.js';
import { insert, type EditLine } from '../conversation/line-editor.js';

/** What Tab can complete: command names, the word after a command, a command's flags. */
export interface CompletionSource {
  commands(): string[];
  /** the words that may follow `command` (its subcommands) */
  subcommands(command: string): string[];
  /** the long flags of `command`, and of its `subcommand` when one is given (`--sort`, `--no-follow`) */
  flags(command: string, subcommand?: string): string[];
}

/** The words that may follow a command: its subcommands, or for `help`, the commands. */
export function subcommandsOf(spec: CommandSpec, registry: readonly CommandSpec[]): string[] {
  if (spec.name === 'help') return registry.filter((c) => !c.hidden).map((c) => c.name);
  return (spec.subcommands ?? []).map((s) => s.name);
}

const longFlags = (flags: readonly FlagSpec[] = []) => flags.flatMap((f) => f.flags.match(/--[\w-]+/g) ?? []);

/** Completion over the command registry (names, and aliases longer than one character). */
export function registryCompletions(registry: readonly CommandSpec[]): CompletionSource {
  const find = (name: string) => registry.find((c) => c.name === name || c.aliases?.includes(name));
  return {
    commands: () => registry.filter((c) => !c.hidden).flatMap((c) => [c.name, ...(c.aliases ?? []).filter((a) => a.length > 1)]),
    subcommands: (command) => {
      const spec = find(command);
      return spec ? subcommandsOf(spec, registry) : [];
    },
    flags: (command, subcommand) => {
      const spec = find(command);
      const sub = spec?.subcommands?.find((s) => s.name === subcommand?.toLowerCase());
      return [...longFlags(spec?.flags), ...longFlags(sub?.flags)];
    },
  };
}

export interface Completion {
  line: EditLine;
  /** more than one way to go on, and the line cannot be extended: show these */
  candidates: string[];
}

/**
 * Tab at the cursor: the word under completion is extended to the one candidate (and a space), or
 * to what all candidates share; when nothing can be added and several remain, they are listed.
 */
export function complete(line: EditLine, source: CompletionSource): Completion {
  const before = line.text.slice(0, line.cursor);
  const words = before.trimStart().split(/\s+/);
  const word = words.at(-1)!;
  const position = words.length - 1;
  const command = words[0]!.toLowerCase();
  const pool = position === 0 ? source.commands() : word.startsWith('-') ? source.flags(command, words[1]) : position === 1 ? source.subcommands(command) : [];
  const candidates = [...new Set(pool.filter((c) => c.toLowerCase().startsWith(word.toLowerCase())))].sort();
  if (candidates.length === 0) return { line, candidates: [] };
  const at = { text: line.text.slice(0, line.cursor - word.length) + line.text.slice(line.cursor), cursor: line.cursor - word.length };
  if (candidates.length === 1) {
    const rest = line.text.slice(line.cursor);
    return { line: insert(at, rest.startsWith(' ') ? candidates[0]! : `${candidates[0]} `), candidates: [] };
  }
  const shared = sharedPrefix(candidates);
  if (shared.length > word.length) return { line: insert(at, shared), candidates: [] };
  return { line, candidates };
}

function sharedPrefix(words: string[]): string {
  let prefix = words[0]!;
  for (const w of words) while (!w.toLowerCase().startsWith(prefix.toLowerCase())) prefix = prefix.slice(0, -1);
  return prefix;
}
