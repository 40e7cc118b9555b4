import { findEvents, readLog, type EventQuery, type MessageEvents } from '../engine/log-search.js';
import { trackingDate } from '../engine/time-format.js';
import { ErrorCodes, UserError } from '../errors.js';
import type { CommandContext, CommandSpec } from './types.js';

const SEARCHES = [
  { by: 'from', label: 'Search by envelope FROM', prompt: 'Enter the regular expression to search for.' },
  { by: 'messageId', label: 'Search by Message ID', prompt: 'Enter the Message ID (MID) to search for.' },
  { by: 'subject', label: 'Search by Subject', prompt: 'Enter the regular expression to search for.' },
  { by: 'to', label: 'Search by envelope TO', prompt: 'Enter the regular expression to search for.' },
] as const;

/**
 * Message-tracking lines for the Threat Defense Connector, as the tracking view words them.
 * The seed shows the success line; failures carry the reason from mail_logs.
 */
export function trackingLines(events: MessageEvents): string[] {
  const lines: string[] = [];
  for (const e of events.entries) {
    const ok = /^TDC: MID (\d+) successfully delivered for scanning/.exec(e.text);
    const failed = /^TDC: MID (\d+) delivery failed to Cisco Secure Email Threat Defense: ?(.*?)\.?$/.exec(e.text);
    const connection = /^TDC: Connection Error: .* reason: (.*)$/.exec(e.text);
    if (ok) lines.push(`${trackingDate(e.at)}  TDC: Message ${ok[1]} was successfully delivered for scanning with Cisco Secure Email Threat Defense.`);
    else if (failed) lines.push(`${trackingDate(e.at)}  TDC: Message ${failed[1]} could not be delivered to Cisco Secure Email Threat Defense: ${failed[2]}.`);
    else if (connection) lines.push(`${trackingDate(e.at)}  TDC: Message ${events.mid} delivery attempt failed: ${connection[1]}.`);
  }
  return lines;
}

function parseTime(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  const t = Date.parse(String(value));
  if (Number.isNaN(t)) throw new UserError(`--${name} takes a date such as "2024-02-16 21:00", not "${String(value)}".`, ErrorCodes.usage);
  return t;
}

function compile(pattern: string): RegExp {
  try {
    return new RegExp(pattern, 'i');
  } catch {
    throw new UserError(`Invalid regular expression "${pattern}".`, ErrorCodes.invalidValue);
  }
}

async function askQuery(ctx: CommandContext): Promise<EventQuery> {
  const index = await ctx.io.list('Please choose which type of search you want to perform:', SEARCHES.map((s) => s.label), { default: 1 });
  const search = SEARCHES[index ?? 0]!;
  if (search.by === 'messageId') {
    const answer = await ctx.io.text(search.prompt, { validate: (v) => (/^\d+$/.test(v) ? null : 'You must enter a number.') });
    return { by: 'mid', mid: Number(answer) };
  }
  return { by: search.by, pattern: compile(await ctx.io.text(search.prompt)) };
}

export const findeventCommand: CommandSpec = {
  name: 'findevent',
  summary: 'Find events in mail log files (message tracking).',
  help: [
    'findevent [--mid N | --message-id RE | --from RE | --to RE | --subject RE] [--since DATE] [--until DATE] [--json]',
    '',
    "Shows each matching message's mail_logs lines (its connections included) and, for a journal",
    'copy, the Threat Defense Connector tracking line, e.g.',
    '  16 Feb 2024 21:19:24 (GMT -06:00)  TDC: Message 14501404 was successfully delivered for scanning ...',
    'Examples:',
    '  findevent --mid 42',
    '  segsim findevent --from "alice@" --since "2024-02-16 21:00"',
  ].join('\n'),
  flags: [
    { flags: '--mid <n>', description: 'the message ID (MID)' },
    { flags: '--message-id <regexp>', description: 'the Message-ID header' },
    { flags: '--from <regexp>', description: 'the envelope sender' },
    { flags: '--to <regexp>', description: 'an envelope recipient' },
    { flags: '--subject <regexp>', description: 'the subject' },
    { flags: '--since <date>', description: 'only events at or after this time' },
    { flags: '--until <date>', description: 'only events at or before this time' },
    { flags: '--json', description: 'print the events as JSON' },
  ],
  async run(ctx, { flags }) {
    let query: EventQuery | undefined;
    if (flags.mid !== undefined) {
      if (!/^\d+$/.test(String(flags.mid))) throw new UserError(`--mid takes a number, not "${String(flags.mid)}".`, ErrorCodes.usage);
      query = { by: 'mid', mid: Number(flags.mid) };
    } else {
      for (const by of ['messageId', 'from', 'to', 'subject'] as const) {
        if (typeof flags[by] === 'string') query = { by, pattern: compile(flags[by] as string) };
      }
    }
    if (!query) {
      if (!ctx.interactive) throw new UserError('findevent needs --mid, --message-id, --from, --to or --subject.', ErrorCodes.usage);
      query = await askQuery(ctx);
    }
    const found = findEvents(readLog(ctx.appliance.paths.logs), query, parseTime(flags.since, 'since'), parseTime(flags.until, 'until'));
    if (flags.json) {
      ctx.io.print(JSON.stringify(found.map((m) => ({ mid: m.mid, lines: m.entries.map((e) => e.raw), tracking: trackingLines(m) })), null, 2));
      return;
    }
    if (found.length === 0) {
      ctx.io.print('No matching message IDs were found.');
      return;
    }
    let chosen = found;
    if (found.length > 1 && ctx.interactive && query.by !== 'mid') {
      const index = await ctx.io.list(
        'The following matching message IDs were found. Please choose one to show additional log information:',
        [...found.map((m) => `MID ${m.mid}`), 'All of the above'],
        { default: found.length + 1 },
      );
      chosen = index === found.length || index === null ? found : [found[index]!];
    }
    for (const m of chosen) {
      ctx.io.print(m.entries.map((e) => e.raw).join('\n'));
      const tracking = trackingLines(m);
      if (tracking.length > 0) ctx.io.print(`\nMessage Tracking (MID ${m.mid}):\n${tracking.join('\n')}`);
      ctx.io.print('');
    }
  },
};
