import { mailLogEntries } from '../engine/mail/mail-log-lines.js';
import { findMessages, type TrackedMessage, type TrackingQuery } from '../engine/message-tracking.js';
import { readTracking } from '../engine/tracking-store.js';
import { ErrorCodes, UserError } from '../errors.js';
import type { CommandContext, CommandSpec } from './types.js';

const SEARCHES = [
  { by: 'from', label: 'Search by envelope FROM', prompt: 'Enter the regular expression to search for.' },
  { by: 'messageId', label: 'Search by Message ID', prompt: 'Enter the Message ID (MID) to search for.' },
  { by: 'subject', label: 'Search by Subject', prompt: 'Enter the regular expression to search for.' },
  { by: 'to', label: 'Search by envelope TO', prompt: 'Enter the regular expression to search for.' },
] as const;

/** A message's events as mail_logs lines. */
const logLines = (m: TrackedMessage) => m.events.flatMap(mailLogEntries);

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

async function askQuery(ctx: CommandContext): Promise<TrackingQuery> {
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
  summary: 'Find events in message tracking (mail_logs lines by message).',
  help: [
    'findevent [--mid N | --message-id RE | --from RE | --to RE | --subject RE] [--since DATE] [--until DATE] [--json]',
    '',
    "Shows each matching message's mail_logs lines (its connections included), read from message",
    'tracking, which outlives log rotation, and the Threat Defense Connector tracking line of a',
    'journal copy (also shown when tracking its original), e.g.',
    '  16 Feb 2024 21:19:24 (GMT -06:00)  TDC: Message 14501404 was successfully delivered for scanning ...',
    'Examples:',
    '  findevent --mid 42',
    '  segsim findevent --from "alice@" --since "2024-02-16 21:00"',
  ].join('\n'),
  flags: [
    { flags: '--mid <n>', description: 'the message ID (MID)', number: { min: 1, max: Number.MAX_SAFE_INTEGER } },
    { flags: '--message-id <regexp>', description: 'the Message-ID header' },
    { flags: '--from <regexp>', description: 'the envelope sender' },
    { flags: '--to <regexp>', description: 'an envelope recipient' },
    { flags: '--subject <regexp>', description: 'the subject' },
    { flags: '--since <date>', description: 'only events at or after this time' },
    { flags: '--until <date>', description: 'only events at or before this time' },
  ],
  json: 'the events',
  async run(ctx, { flags }) {
    let query: TrackingQuery | undefined;
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
    const { events, unreadable } = readTracking(ctx.appliance.paths.tracking);
    const found = findMessages(events, query, parseTime(flags.since, 'since'), parseTime(flags.until, 'until'));
    const by = query.by;
    return {
      data: found.map((m) => ({ mid: m.mid, lines: logLines(m), tracking: m.tracking })),
      render: async (io) => {
        if (unreadable > 0) io.print(`Warning: ${unreadable} message tracking record(s) could not be read and were skipped.`);
        if (found.length === 0) {
          io.print('No matching message IDs were found.');
          return;
        }
        let chosen = found;
        if (found.length > 1 && ctx.interactive && by !== 'mid') {
          const index = await io.list(
            'The following matching message IDs were found. Please choose one to show additional log information:',
            [...found.map((m) => `MID ${m.mid}`), 'All of the above'],
            { default: found.length + 1 },
          );
          chosen = index === found.length || index === null ? found : [found[index]!];
        }
        for (const m of chosen) {
          io.print(logLines(m).join('\n'));
          if (m.tracking.length > 0) io.print(`\nMessage Tracking (MID ${m.mid}):\n${m.tracking.join('\n')}`);
          io.print('');
        }
      },
    };
  },
};
