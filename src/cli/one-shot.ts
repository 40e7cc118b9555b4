import type { Writable } from 'node:stream';
import { enterCommandMode } from '../commands/cluster-gate.js';
import { Conversation } from '../conversation/conversation.js';
import { changesCommitted } from '../commands/format/commit-lines.js';
import { formatChanges } from '../commands/showchanges.js';
import type { CommandSpec } from '../commands/types.js';
import type { Appliance } from '../engine/appliance.js';
import { ErrorCodes, UserError } from '../errors.js';
import { parseCommandLine, type CommandLine } from './command-parser.js';
import { commandHost } from './command-host.js';
import { runCommand } from './run-command.js';
import { streamFront, type OutputHooks } from '../ui/stream-front.js';

export interface OneShotOptions {
  appliance: Appliance;
  registry: readonly CommandSpec[];
  words: string[];
  out: Writable;
  signal: AbortSignal;
  /** where the command comes from, for `who`: `console` in this process, `socket` from another terminal */
  from?: string;
  /** how `out` shows redraws, progress, live views and colour; by default as `out` itself allows (src/ui/stream-front.ts) */
  front?: OutputHooks;
  /** `words` already parsed by the caller (main parses argv once, to find the home and the command) */
  parsed?: CommandLine;
}

/**
 * Runs one command from argv in a session of its own, which ends with the command. Configuration
 * flags apply and commit in one step (`--comment`), or only show what would change (`--dry-run`);
 * no other session's pending changes are touched. Dialog questions cannot be answered here: a
 * command that needs one fails with a pointer to its flags.
 */
export async function runOneShot({ appliance, registry, words, out, signal, from = 'console', front = streamFront({ stdout: out }), parsed }: OneShotOptions): Promise<void> {
  const line = parsed ?? parseCommandLine(registry, words, { oneShot: true, write: (text) => void out.write(text) });
  if (line.kind === 'printed') return;
  if (line.kind === 'shell') throw new UserError('No command given. Enter "segsim help" for the list of commands.', ErrorCodes.usage);
  const { spec, input } = line;
  const { comment, dryRun, mode, ...flags } = input.flags;
  const io = new Conversation({
    write: (text) => void out.write(text),
    ...front,
    readLine: async () => {
      throw new UserError(`\n${spec.name} needs an answer here. Give its flags (see "segsim help ${spec.name}") or run it in the shell ("segsim").`, ErrorCodes.usage);
    },
  });
  const session = appliance.sessions.open('one-shot', from);
  session.running(words.join(' '));
  try {
    const ctx = { appliance, session, io, interactive: false, signal, host: commandHost(() => registry) };
    await enterCommandMode(ctx, spec, typeof mode === 'string' ? mode : undefined);
    await runCommand(spec, ctx, { args: input.args, flags });
    const config = session.config;
    if (!config.hasChanges()) return;
    if (dryRun) {
      io.print(`Would change (nothing committed):\n${formatChanges(config.changes())}`);
      return;
    }
    const record = await config.commit(typeof comment === 'string' ? comment : `segsim ${words.join(' ')}`);
    if (record) io.print(changesCommitted(record.at));
  } finally {
    session.close();
  }
}
