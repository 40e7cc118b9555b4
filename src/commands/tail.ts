import { join } from 'node:path';
import { followFile, lastLines, logNames } from '../engine/log-files.js';
import { ErrorCodes, UserError } from '../errors.js';
import type { CommandContext, CommandSpec } from './types.js';

/** The log a command works on: named inline, or chosen from the numbered list (of `names`, default all logs). */
export async function chooseLog(ctx: CommandContext, named: string | undefined, verb: string, names = logNames(ctx.appliance.paths.logs)): Promise<string> {
  if (named !== undefined) {
    if (!names.includes(named)) throw new UserError(`Unable to ${verb}: no log named "${named}". Logs: ${names.join(', ')}.`, ErrorCodes.notFound);
    return named;
  }
  if (!ctx.interactive) return 'mail_logs';
  const items = names.map((n) => `${n}  Type: "${n === 'mail_logs' ? 'IronPort Text Mail Logs' : 'Text Logs'}"  Retrieval: Local`);
  ctx.io.print('Currently configured logs:');
  const index = await ctx.io.list(`Enter the number of the log you wish to ${verb}.`, items, { default: 1 });
  return names[index ?? 0]!;
}

export const tailCommand: CommandSpec = {
  name: 'tail',
  summary: 'Continuously display the end of a log file.',
  help: [
    'tail [LOG] [-n LINES] [--no-follow]',
    '',
    'Shows the last lines of a log (mail_logs by default when run one-shot), then follows it until',
    'q, Esc, Enter or Ctrl-C. Examples:',
    '  tail mail_logs',
    '  segsim tail mail_logs -n 50 --no-follow',
  ].join('\n'),
  args: '[log]',
  flags: [
    { flags: '-n, --lines <count>', description: 'how many lines to show first (default 20)', number: { min: 0, max: 100_000 } },
    { flags: '--no-follow', description: 'print the last lines and stop' },
  ],
  async run(ctx, { args, flags }) {
    const name = await chooseLog(ctx, args[0], 'tail');
    const count = flags.lines === undefined ? 20 : Number(flags.lines);
    if (!Number.isInteger(count) || count < 0) throw new UserError(`-n takes a whole number, not "${String(flags.lines)}".`, ErrorCodes.usage);
    const file = join(ctx.appliance.paths.logs, name);
    for (const line of lastLines(file, count)) ctx.io.print(line);
    if (flags.follow === false) return;
    await ctx.io.live(`Following ${name}.`, () => followFile(file, (lines) => ctx.io.print(lines.join('\n')), ctx.signal));
  },
};
