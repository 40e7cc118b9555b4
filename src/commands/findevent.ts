import { basename } from 'node:path';
import type { LogSubscription } from '../engine/config/model.js';
import type { LogFileSpan } from '../engine/logs/log-files.js';
import { mailLogEntries } from '../engine/mail/mail-log-lines.js';
import { trackingOf, type TrackingCriteria } from '../engine/message-tracking.js';
import { ErrorCodes, UserError } from '../errors.js';
import { asyncosDate } from '../engine/time-format.js';
import { chooseLog } from './tail.js';
import type { CommandContext, CommandSpec } from './types.js';

/** The mail log subscriptions: message tracking follows what they log. */
const mailLogs = (ctx: CommandContext): LogSubscription[] => ctx.appliance.logs.subscriptions.filter((s) => s.type === 'mail_logs');

/** A time range to search in: the time a set of mail_logs files covers. */
interface Range {
  since: number;
  until: number;
}

const ALL_TIME: Range = { since: -Infinity, until: Infinity };

/**
 * The time one file of mail_logs covers (to the end of its last second); the current file
 * covers until now and on. A file without a dated line covers nothing.
 */
function spanRange(span: LogFileSpan, current: boolean): Range {
  if (span.first === null) return { since: Infinity, until: -Infinity };
  return { since: span.first, until: current ? Infinity : (span.last ?? span.first) + 999 };
}

/** The range of the mail log file a script names (--log-file mail.@20240216T211922.s); refused, naming the files, when there is none. */
function fileRange(ctx: CommandContext, name: string): Range {
  const spans = mailLogs(ctx).flatMap((sub) => ctx.appliance.logs.spans(sub.name));
  const span = spans.find((s) => basename(s.file) === name);
  if (!span) throw new UserError(`No mail log file "${name}". Available: ${spans.map((s) => basename(s.file)).join(', ') || 'none'}.`, ErrorCodes.notFound);
  return spanRange(span, span.file.endsWith('.current'));
}

/** The appliance's questions after the search: the log, then which of its files (as a time range). */
async function askLogs(ctx: CommandContext): Promise<Range> {
  const sub = await chooseLog(ctx, undefined, 'use for message tracking', mailLogs(ctx));
  const sets = ['Search all available logs', 'Select logs to search', 'Search current log'];
  const set = await ctx.io.list('Please choose which set of logs to search:', sets, { default: 3 });
  if (set === 0) return ALL_TIME;
  const spans = ctx.appliance.logs.spans(sub.name);
  const current = spans.at(-1);
  if (!current) return ALL_TIME;
  if (set === 2) return spanRange(current, true);
  const items = spans.map((s) => `${basename(s.file).padEnd(24)} ${s.first === null ? '(no dated lines)' : `${asyncosDate(s.first)} - ${asyncosDate(s.last ?? s.first)}`}`);
  const i = await ctx.io.list('Available mail log files:', items, { default: items.length });
  return spanRange(spans[i ?? spans.length - 1]!, i === null || i === spans.length - 1);
}

/** The most messages one search shows (the newest). */
export const MAX_MESSAGES = 1000;

const SEARCHES = [
  { by: 'from', label: 'Search by envelope FROM', prompt: 'Enter the regular expression to search for.' },
  { by: 'messageId', label: 'Search by Message ID', prompt: 'Enter the Message ID (MID) to search for.' },
  { by: 'subject', label: 'Search by Subject', prompt: 'Enter the regular expression to search for.' },
  { by: 'to', label: 'Search by envelope TO', prompt: 'Enter the regular expression to search for.' },
] as const;

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

async function askQuery(ctx: CommandContext): Promise<TrackingCriteria> {
  const index = await ctx.io.list(
    'Please choose which type of search you want to perform:',
    SEARCHES.map((s) => s.label),
    { default: 1 },
  );
  const search = SEARCHES[index ?? 0]!;
  if (search.by === 'messageId') {
    const answer = await ctx.io.text(search.prompt, { validate: (v) => (/^\d+$/.test(v) ? null : 'You must enter a number.') });
    return { mid: Number(answer) };
  }
  return { [search.by]: compile(await ctx.io.text(search.prompt)) };
}

export const findeventCommand: CommandSpec = {
  name: 'findevent',
  summary: 'Find events in message tracking (mail_logs lines by message).',
  help: [
    'findevent [--mid N | --message-id RE | --from RE | --to RE | --subject RE] [--since DATE] [--until DATE]',
    '          [--log-file FILE] [--json]',
    '',
    "Shows each matching message's mail_logs lines (its connections included), read from message",
    'tracking, which outlives log rollover (--log-file limits it to the time one mail log file',
    'covers: mail.current or a rolled mail.@<time>.s), and the Threat Defense Connector tracking line of a journal copy (also shown when',
    'tracking its original), e.g.',
    '  16 Feb 2024 21:19:24 (GMT -06:00)  TDC: Message 14501404 was successfully delivered for scanning ...',
    'Without a search flag, asks as the appliance does: the kind of search, the value, the log and',
    'which of its files to search. It shows the newest 1,000 matching messages at most. Examples:',
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
    { flags: '--log-file <file>', description: 'only the time one mail log file covers (mail.current, mail.@20240216T211922.s ...)' },
  ],
  json: 'the events',
  async run(ctx, { flags }) {
    let query: TrackingCriteria | undefined;
    if (flags.mid !== undefined) {
      if (!/^\d+$/.test(String(flags.mid))) throw new UserError(`--mid takes a number, not "${String(flags.mid)}".`, ErrorCodes.usage);
      query = { mid: Number(flags.mid) };
    } else {
      for (const by of ['messageId', 'from', 'to', 'subject'] as const) {
        if (typeof flags[by] === 'string') query = { [by]: compile(flags[by] as string) };
      }
    }
    let range = typeof flags.logFile === 'string' ? fileRange(ctx, flags.logFile) : ALL_TIME;
    if (!query) {
      if (!ctx.interactive) throw new UserError('findevent needs --mid, --message-id, --from, --to or --subject.', ErrorCodes.usage);
      query = await askQuery(ctx);
      range = await askLogs(ctx);
    }
    const since = Math.max(range.since, parseTime(flags.since, 'since') ?? -Infinity);
    const until = Math.min(range.until, parseTime(flags.until, 'until') ?? Infinity);
    // the index finds the MIDs; only their events are read from the store
    const tracking = await trackingOf(ctx.appliance);
    const unreadable = tracking.unreadable;
    // the newest matches only: a search that matches a whole store must not fill the appliance's memory
    const newest = await tracking.search({ ...query, since, until }, MAX_MESSAGES + 1);
    const more = newest.length > MAX_MESSAGES;
    const matches = newest.slice(0, MAX_MESSAGES).sort((a, b) => a.mid - b.mid);
    const found: { mid: number; lines: string[]; tracking: string[] }[] = [];
    for (const m of matches) {
      const { events, tdc } = await tracking.events(m.mid, since, until);
      found.push({ mid: m.mid, lines: events.flatMap(mailLogEntries), tracking: tdc });
    }
    const byMid = query.mid !== undefined;
    return {
      data: found,
      render: async (io) => {
        if (unreadable > 0) io.print(`Warning: ${unreadable} message tracking record(s) could not be read and were skipped.`);
        if (more) io.print(`More than ${MAX_MESSAGES.toLocaleString('en-US')} messages match: the newest ${MAX_MESSAGES.toLocaleString('en-US')} are shown. Narrow the search to see the others.`);
        if (found.length === 0) {
          io.print('No matching message IDs were found.');
          return;
        }
        let chosen = found;
        if (found.length > 1 && ctx.interactive && !byMid) {
          const index = await io.list(
            'The following matching message IDs were found. Please choose one to show additional log information:',
            [...found.map((m) => `MID ${m.mid}`), 'All of the above'],
            { default: found.length + 1 },
          );
          chosen = index === found.length || index === null ? found : [found[index]!];
        }
        for (const m of chosen) {
          io.print(m.lines.join('\n'));
          if (m.tracking.length > 0) io.print(`\nMessage Tracking (MID ${m.mid}):\n${m.tracking.join('\n')}`);
          io.print('');
        }
      },
    };
  },
};
