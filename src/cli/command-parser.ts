import { Command, CommanderError, Option } from 'commander';
import type { CommandInput, CommandSpec, FlagSpec } from '../commands/types.js';
import { ErrorCodes, UserError } from '../errors.js';

/** Flags every one-shot configuration command takes besides its own. */
export const COMMIT_FLAGS = [
  { flags: '--comment <text>', description: 'commit comment (one-shot runs commit at once)' },
  { flags: '--dry-run', description: 'show what would change, commit nothing' },
];

/**
 * Builds the commander definition of a command from its data. The same definition parses a
 * shell line and a one-shot argv, so flags behave identically everywhere.
 */
export function buildCommand(spec: CommandSpec, extraFlags: { flags: string; description: string }[] = []): Command {
  const cmd = new Command(spec.name).description(spec.summary).helpOption(false).allowExcessArguments(false);
  for (const alias of spec.aliases ?? []) cmd.alias(alias);
  if (spec.args) cmd.arguments(spec.args);
  for (const f of [...(spec.flags ?? []), ...extraFlags]) {
    const option = new Option(f.flags, f.description);
    if ('repeatable' in f && f.repeatable) option.argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]);
    cmd.addOption(option);
  }
  return cmd;
}

/** Parses words (without the command name) into positional args and flags. */
export function parseWords(spec: CommandSpec, words: string[], extraFlags: { flags: string; description: string }[] = []): CommandInput {
  const cmd = buildCommand(spec, extraFlags);
  let input: CommandInput | undefined;
  cmd.exitOverride();
  cmd.configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
  cmd.action((...received: unknown[]) => {
    const self = received.at(-1) as Command;
    input = { args: self.args, flags: self.opts() };
  });
  try {
    cmd.parse(words, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      const text = error.message.replace(/^error: /, '');
      throw new UserError(`Invalid arguments when processing ${spec.name}: ${text}. Enter "help ${spec.name}" for its usage.`, ErrorCodes.usage);
    }
    throw error;
  }
  const parsed = input ?? { args: [], flags: {} };
  refuseOrphans(spec, parsed.flags);
  return parsed;
}

/**
 * A flag given without the one it belongs to would be silently lost: say so, naming the flag it
 * needs with its value, e.g. `--tdc needs --edit NAME.`
 */
export function refuseOrphans(command: CommandSpec, given: Record<string, unknown>): void {
  const specs: FlagSpec[] = command.flags ?? [];
  const option = (long: string) => {
    const spec = specs.find((f) => new Option(f.flags).long === long);
    return spec ? new Option(spec.flags, '') : new Option(long);
  };
  const present = (long: string) => given[option(long).attributeName()] !== undefined;
  for (const f of specs) {
    const own = new Option(f.flags);
    if (!f.needs || given[own.attributeName()] === undefined || f.needs.some(present)) continue;
    const wanted = f.needs.map((long) => {
      const value = /<(\w+)>/.exec(option(long).flags)?.[1];
      return value ? `${long} ${value.toUpperCase()}` : long;
    });
    throw new UserError(`${own.long} needs ${wanted.join(' or ')}.`, ErrorCodes.usage);
  }
}
