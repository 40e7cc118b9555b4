import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { logFiles } from './log-files.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const LINE = /^\w{3} (\w{3}) ([ \d]\d) (\d\d):(\d\d):(\d\d) (\d{4}) (\w+): ?(.*)$/;

export interface LogEntry {
  at: number;
  level: string;
  text: string;
  raw: string;
}

/** Parses a mail_logs line (`Fri Feb 16 21:19:22 2024 Info: text`); null for other lines. */
export function parseLogLine(raw: string): LogEntry | null {
  const m = LINE.exec(raw);
  if (!m) return null;
  const [, mon, day, hh, mm, ss, year, level, text] = m;
  const at = new Date(Number(year), MONTHS.indexOf(mon!), Number(day), Number(hh), Number(mm), Number(ss)).getTime();
  return { at, level: level!, text: text!, raw };
}

/** The time of the newest entry of mail_logs (read from the end of the file), or null. */
export function lastEntryTime(logsDir: string, name = 'mail_logs'): number | null {
  const file = join(logsDir, name);
  if (!existsSync(file)) return null;
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const tail = Buffer.alloc(Math.min(size, 64 * 1024));
    readSync(fd, tail, 0, tail.length, size - tail.length);
    const lines = tail.toString('utf8').split('\n').reverse();
    for (const line of lines) {
      const entry = parseLogLine(line);
      if (entry) return entry.at;
    }
    return null;
  } finally {
    closeSync(fd);
  }
}

/** Every entry of a log and its rotations, oldest first. Continuation lines join the entry above. */
export function readLog(logsDir: string, name = 'mail_logs'): LogEntry[] {
  const entries: LogEntry[] = [];
  for (const file of logFiles(logsDir, name)) {
    for (const raw of readFileSync(file, 'utf8').split('\n')) {
      if (raw === '') continue;
      const entry = parseLogLine(raw);
      if (entry) entries.push(entry);
      else if (entries.length > 0) {
        const last = entries.at(-1)!;
        last.text += ` ${raw.trim()}`;
        last.raw += `\n${raw}`;
      }
    }
  }
  return entries;
}

export type EventQuery =
  | { by: 'mid'; mid: number }
  | { by: 'messageId' | 'from' | 'to' | 'subject'; pattern: RegExp };

/** One message as message tracking shows it: its MID and every log entry that concerns it. */
export interface MessageEvents {
  mid: number;
  entries: LogEntry[];
}

/** Where each searchable field stands in a mail_logs line. */
export const LOG_FIELDS = {
  messageId: /Message-ID '([^']*)'/,
  from: / From: <([^>]*)>/,
  to: / To: <([^>]*)>/,
  subject: / Subject '(.*)'$/,
};

const midsIn = (text: string) => [...text.matchAll(/\bMID (\d+)/g)].map((m) => Number(m[1]));

/**
 * Finds messages in mail_logs (AsyncOS's findevent): the MIDs whose lines match the query within
 * [since, until], each with its own lines plus the ICID and DCID lines of its connections.
 */
export function findEvents(entries: LogEntry[], query: EventQuery, since = -Infinity, until = Infinity): MessageEvents[] {
  const inRange = entries.filter((e) => e.at >= since && e.at <= until);
  const matching = new Set<number>();
  for (const e of inRange) {
    const mids = midsIn(e.text);
    if (mids.length === 0) continue;
    const field = query.by === 'mid' ? undefined : LOG_FIELDS[query.by].exec(e.text)?.[1];
    const hit = query.by === 'mid' ? mids.includes(query.mid) : field !== undefined && query.pattern.test(field);
    if (hit) matching.add(mids[0]!);
  }
  return [...matching].sort((a, b) => a - b).map((mid) => ({ mid, entries: entriesOf(inRange, mid) }));
}

function entriesOf(entries: LogEntry[], mid: number): LogEntry[] {
  const own = entries.filter((e) => midsIn(e.text).includes(mid));
  const icids = new Set(own.flatMap((e) => [...e.text.matchAll(/\bICID (\d+)/g)].map((m) => m[1])));
  const dcids = new Set(own.flatMap((e) => [...e.text.matchAll(/\bDCID (\d+)/g)].map((m) => m[1])));
  return entries.filter((e) => {
    if (own.includes(e)) return true;
    if (midsIn(e.text).length > 0) return false;
    const icid = /\bICID (\d+)/.exec(e.text)?.[1];
    const dcid = /\bDCID (\d+)/.exec(e.text)?.[1];
    return (icid !== undefined && icids.has(icid)) || (dcid !== undefined && dcid !== '0' && dcids.has(dcid));
  });
}
