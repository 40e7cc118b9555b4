import type { Appliance } from '../engine/appliance.js';
import type { Session } from '../engine/sessions.js';
import type { Conversation } from '../conversation/conversation.js';

/** A flag in commander's syntax, e.g. `--intake-address <addr>`; data, so commands need no commander. */
export interface FlagSpec {
  flags: string;
  description: string;
  /** for repeatable options (`--recipient X --recipient Y`) */
  repeatable?: boolean;
  /** the flag means something only beside one of these (long names): without them it is refused */
  needs?: string[];
  /** the only values the flag takes */
  choices?: readonly string[];
  /** the flag takes a whole number in decimal digits within this range */
  number?: { min: number; max: number; unit?: string };
  /** flags (long names) that cannot be given with this one */
  conflicts?: string[];
}

/** A subcommand (`setd fault`, `lab start`): its own arguments and flags, nothing else accepted. */
export interface SubcommandSpec {
  name: string;
  summary: string;
  /** commander argument syntax, e.g. `<name>` */
  args?: string;
  flags?: FlagSpec[];
  /** takes --json, printing what this names as JSON (e.g. `the accounts`): see CommandOutput */
  json?: string;
}

/**
 * What a command that takes --json returns: its data, and the AsyncOS screen of that data. The
 * runner (src/cli/run-command.ts) prints `data` as JSON for --json, else calls `render`.
 */
export interface CommandOutput<T = unknown> {
  data: T;
  /** prints the screen (it may still ask, as findevent asks which of several messages to show) */
  render(io: Conversation): void | Promise<void>;
  /** the command failed after all (a lab check with failed expectations): thrown once the output is shown */
  error?: Error;
}

export interface CommandInput {
  /** positional words after the command name */
  args: string[];
  /** parsed flags, camelCased as commander does (`--intake-address` -> intakeAddress) */
  flags: Record<string, unknown>;
}

export interface CommandContext {
  appliance: Appliance;
  io: Conversation;
  /** false when answers cannot be asked for (one-shot runs): commands must then use flags */
  interactive: boolean;
  /** aborted when the user presses Ctrl-C (ends live views such as tail and tophosts --watch) */
  signal: AbortSignal;
  /** the session the command runs in: its own pending configuration changes */
  session: Session;
  /** the interactive shell, when there is one (quit/exit end it) */
  shell?: ShellSession;
  /** what commands may ask of the program around them */
  host: CommandHost;
  /**
   * --json was given: the runner prints the returned data, so no dialog, progress or live view is
   * wanted (set by the runner; commands never print JSON themselves)
   */
  json?: boolean;
}

/** Services of the front end that runs a command (the lab uses them). */
export interface CommandHost {
  /** runs another command line in a session of its own on this appliance, as a one-shot run: flags commit at once */
  runLine(appliance: Appliance, line: string, io: Conversation): Promise<void>;
  /** starts a further appliance in this process (lab run uses a fresh home per scenario) */
  startAppliance(appliance: Appliance): Promise<{ stop(): Promise<void>; readonly setd: { address(): { port: number } } | null }>;
}

export interface ShellSession {
  /** ends the shell after the current command */
  exit(): void;
}

/**
 * One AsyncOS command. `run` talks through ctx.io and the appliance only: the same function serves
 * the ink shell, stdin scripts, one-shot runs and the control socket.
 */
export interface CommandSpec {
  name: string;
  aliases?: string[];
  /** one line for `help` */
  summary: string;
  /** inline help for `help <command>`: batch usage and examples */
  help: string;
  /** commander argument syntax, e.g. `[domain]` or `[args...]` */
  args?: string;
  flags?: FlagSpec[];
  /** left out of help and Tab completion, as AsyncOS hides its test-harness commands (setttymode) */
  hidden?: boolean;
  /** a configuration command: one-shot runs with flags commit in one step */
  configures?: boolean;
  /** subcommands; `run` then gets the subcommand's name as args[0] and its flags */
  subcommands?: SubcommandSpec[];
  /** with subcommands: the command alone is valid too (an interactive menu) */
  runsWithoutSubcommand?: boolean;
  /** takes --json, printing what this names as JSON (e.g. `the host status`): see CommandOutput */
  json?: string;
  /** runs the command; one that takes --json returns its output (it may return nothing, e.g. after a change) */
  run(ctx: CommandContext, input: CommandInput): Promise<void | CommandOutput>;
}
