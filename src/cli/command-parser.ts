import { Command, CommanderError, Option } from 'commander';
import type { CommandInput, CommandSpec, FlagSpec, SubcommandSpec } from '../commands/types.js';
import { flagsOf } from '../commands/command-flags.js';
import { commandHelp, programHelp } from '../commands/help.js';
import { parseDecimal } from '../commands/numbers.js';
import { ErrorCodes, invalidArguments, unknownCommand, UserError } from '../errors.js';
import { SEGSIM_VERSION } from '../version.js';

/** Flags every one-shot configuration command takes besides its own. */
export const COMMIT_FLAGS: FlagSpec[] = [
  { flags: '--comment <text>', description: 'commit comment (one-shot runs commit at once)' },
  { flags: '--dry-run', description: 'show what would change, commit nothing' },
  { flags: '--mode <mode>', description: 'on a cluster, the level to edit: cluster (default), group[:NAME] or machine[:NAME]' },
];

/** What a command line asks for. */
export type CommandLine =
  /** a command to run, with its parsed input (`--home` when given on the command line) */
  | { kind: 'command'; spec: CommandSpec; input: CommandInput; home?: string }
  /** no command: open the shell */
  | { kind: 'shell'; home?: string }
  /** help or the version was printed: nothing to run */
  | { kind: 'printed' };

export interface ParseOptions {
  /** one-shot runs: configuration commands also take COMMIT_FLAGS */
  oneShot: boolean;
  /** where help and version text go */
  write: (text: string) => void;
}

/**
 * Parses a command line (argv of a one-shot run, or the words of a shell line) with one commander
 * program built from the registry: root options, a command per AsyncOS command, subcommands with
 * their own flags, typed options (choices, decimal numbers), conflicts and the `needs` rule.
 * Errors become AsyncOS-style UserErrors (exit 2); `--help` prints the command's help.
 */
export function parseCommandLine(registry: readonly CommandSpec[], words: string[], options: ParseOptions): CommandLine {
  let parsed: CommandLine = { kind: 'shell' };
  const program = new Command('segsim')
    .usage('[--home DIR] [COMMAND [ARGS] [FLAGS]]')
    .option('--home <dir>', 'the home directory (else SEGSIM_HOME, else the per-user default)')
    .version(SEGSIM_VERSION, '-V, --version', 'print the segsim version')
    .helpOption('-h, --help', 'show help')
    .allowExcessArguments(false)
    .showSuggestionAfterError(true)
    // root options stand before the command; after it, every command takes --home itself, so
    // that a flag's value that looks like --home (grep -e --home) stays that flag's value
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeOut: options.write, writeErr: () => undefined, outputError: () => undefined });
  program.helpInformation = () => programHelp(registry);
  for (const spec of registry) {
    const extra = options.oneShot && spec.configures ? COMMIT_FLAGS : [];
    const record = (sub: SubcommandSpec | null, cmd: Command) => {
      const args = sub ? [sub.name, ...cmd.args] : cmd.args;
      const { home, ...flags } = cmd.opts();
      refuseOrphans(flagsOf(sub ?? spec), flags);
      parsed = { kind: 'command', spec, input: { args, flags }, home: (home ?? program.opts().home) as string | undefined };
    };
    const cmd = define(program.command(spec.name), spec, [...flagsOf(spec), ...extra], () => commandHelp(spec));
    for (const alias of spec.aliases ?? []) cmd.alias(alias);
    // a subcommand's flags are its own, even where the command alone takes a flag of the same name
    if (spec.subcommands) cmd.enablePositionalOptions();
    for (const sub of spec.subcommands ?? []) {
      const child = define(cmd.command(sub.name), sub, [...flagsOf(sub), ...extra], () => commandHelp(spec));
      child.action((...received: unknown[]) => record(sub, received.at(-1) as Command));
    }
    if (spec.subcommands && !spec.runsWithoutSubcommand) {
      cmd.action(() => {
        throw new UserError(`${spec.name} needs a subcommand: ${spec.subcommands!.map((s) => s.name).join(', ')}. Enter "help ${spec.name}".`, ErrorCodes.usage);
      });
    } else cmd.action((...received: unknown[]) => record(null, received.at(-1) as Command));
  }
  try {
    program.parse(words, { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return { kind: 'printed' };
    // no command at all: the shell
    if (error.code === 'commander.help' && !words.some((w) => !w.startsWith('-') && w !== program.opts().home)) return { kind: 'shell', home: program.opts().home as string | undefined };
    throw usageError(error, words, registry);
  }
  return parsed;
}

/** One command or subcommand's commander definition, from its data. */
function define(cmd: Command, spec: CommandSpec | SubcommandSpec, flags: FlagSpec[], help: () => string): Command {
  cmd.description(spec.summary).helpOption('-h, --help', 'show help').allowExcessArguments(false).exitOverride();
  cmd.helpInformation = help;
  if (spec.args) cmd.arguments(spec.args);
  for (const f of flags) cmd.addOption(option(f));
  cmd.addOption(new Option('--home <dir>').hideHelp());
  return cmd;
}

function option(f: FlagSpec): Option {
  const o = new Option(f.flags, f.description);
  if (f.choices) o.choices(f.choices);
  if (f.conflicts) o.conflicts(f.conflicts.map((long) => new Option(long).attributeName()));
  const number = f.number;
  if (number) o.argParser((value: string) => parseDecimal(value, { name: o.long ?? f.flags, ...number }));
  if (f.repeatable) o.argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]);
  return o;
}

/** A commander error in AsyncOS's words: what was wrong, and where the usage is. */
function usageError(error: CommanderError, words: string[], registry: readonly CommandSpec[]): UserError {
  const text = error.message.replace(/^error: /, '').replace(/\.$/, '');
  if (error.code === 'commander.unknownCommand') {
    const suggestion = /\(Did you mean (\S+)\?\)/.exec(text)?.[1];
    const name = /unknown command '([^']*)'/.exec(text)?.[1] ?? '';
    return unknownCommand(name, suggestion);
  }
  const command = registry.find((c) => words.includes(c.name) || c.aliases?.some((a) => words.includes(a)));
  return invalidArguments(text.replace(/\n/g, ' '), command?.name);
}

/**
 * A flag given without the one it belongs to would be silently lost: say so, naming the flag it
 * needs with its value, e.g. `--tdc needs --edit NAME.`
 */
export function refuseOrphans(specs: readonly FlagSpec[], given: Record<string, unknown>): void {
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
