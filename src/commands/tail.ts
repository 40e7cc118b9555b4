import type { LogSubscription, LogType } from '../engine/config/model.js';
import { followFile, lastLines } from '../engine/logs/log-files.js';
import { ErrorCodes, UserError } from '../errors.js';
import type { CommandContext, CommandSpec } from './types.js';

/** Each log type as logconfig's list names it. */
export const LOG_TYPE_NAMES: Readonly<Record<LogType, string>> = {
  mail_logs: 'IronPort Text Mail Logs',
  system_logs: 'System Logs',
  authentication: 'Authentication Logs',
  gui_logs: 'HTTP Logs',
};

/** A subscription's retrieval method as logconfig's list names it. */
export function retrievalName(sub: LogSubscription): string {
  const r = sub.retrieval;
  return r.method === 'manual' ? 'Manual Download' : `Syslog Push - Host ${r.host}`;
}

/** A subscription as the appliance lists it: `"mail_logs" Type: "IronPort Text Mail Logs" Retrieval: Manual Download`. */
export function subscriptionItem(sub: LogSubscription): string {
  return `"${sub.name}" Type: "${LOG_TYPE_NAMES[sub.type]}" Retrieval: ${retrievalName(sub)}`;
}

/**
 * The log subscription a command works on: named inline, or chosen from the numbered list of
 * `subs` (default all); one-shot without a name, the first mail log.
 */
export async function chooseLog(ctx: CommandContext, named: string | undefined, verb: string, subs = ctx.appliance.logs.subscriptions): Promise<LogSubscription> {
  const names = subs.map((s) => s.name);
  if (named !== undefined) {
    const sub = subs.find((s) => s.name === named);
    if (!sub) throw new UserError(`Unable to ${verb}: no log named "${named}". Logs: ${names.join(', ')}.`, ErrorCodes.notFound);
    return sub;
  }
  if (subs.length === 0) throw new UserError(`Unable to ${verb}: no log subscriptions are configured (logconfig).`, ErrorCodes.notFound);
  if (!ctx.interactive) return subs.find((s) => s.type === 'mail_logs') ?? subs[0]!;
  ctx.io.print('Currently configured logs:');
  const index = await ctx.io.list(`Enter the number of the log you wish to ${verb}.`, subs.map(subscriptionItem), { default: 1 });
  return subs[index ?? 0]!;
}

export const tailCommand: CommandSpec = {
  name: 'tail',
  summary: 'Continuously display the end of a log file.',
  help: [
    'tail [LOG] [-n LINES] [--no-follow]',
    '',
    "Shows the last lines of a log subscription's current file (mail_logs by default when run",
    'one-shot), then follows it, across rollovers, until q, Esc, Enter or Ctrl-C. Examples:',
    '  tail mail_logs',
    '  segsim tail system_logs -n 50 --no-follow',
  ].join('\n'),
  args: '[log]',
  flags: [
    { flags: '-n, --lines <count>', description: 'how many lines to show first (default 20)', number: { min: 0, max: 100_000 } },
    { flags: '--no-follow', description: 'print the last lines and stop' },
  ],
  async run(ctx, { args, flags }) {
    const sub = await chooseLog(ctx, args[0], 'tail');
    const count = flags.lines === undefined ? 20 : Number(flags.lines);
    if (!Number.isInteger(count) || count < 0) throw new UserError(`-n takes a whole number, not "${String(flags.lines)}".`, ErrorCodes.usage);
    const file = ctx.appliance.logs.currentPath(sub);
    for (const line of lastLines(file, count)) ctx.io.print(line);
    if (flags.follow === false) return;
    await ctx.io.live(`Following ${sub.name}.`, () => followFile(file, (lines) => ctx.io.print(lines.join('\n')), ctx.signal));
  },
};
