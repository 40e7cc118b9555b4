import { closeSync, existsSync, fstatSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** The log subscriptions of the lab appliance: one directory under logs/ is not needed, files are. */
export function logNames(logsDir: string): string[] {
  if (!existsSync(logsDir)) return ['mail_logs'];
  const names = new Set(['mail_logs']);
  // a log kept aside at start (`mail_logs.bad-<time>`) is no log to subscribe to
  for (const f of readdirSync(logsDir)) if (!f.includes('.bad-')) names.add(f.replace(/\.\d+$/, ''));
  return [...names].sort();
}

/** A log's files, oldest rotation first, the current file last. */
export function logFiles(logsDir: string, name: string): string[] {
  if (!existsSync(logsDir)) return [];
  const rotated = readdirSync(logsDir)
    .map((f) => ({ f, n: f.startsWith(`${name}.`) ? Number(f.slice(name.length + 1)) : NaN }))
    .filter((x) => Number.isInteger(x.n))
    .sort((a, b) => b.n - a.n)
    .map((x) => join(logsDir, x.f));
  const current = join(logsDir, name);
  return existsSync(current) ? [...rotated, current] : rotated;
}

/**
 * The highest MID, ICID and DCID mail_logs and its rotations mention (0 for a kind never seen).
 * Read only to rebuild a lost state/ids.json: a whole scan of every rotation.
 */
export function highestLoggedIds(logsDir: string): { mid: number; icid: number; dcid: number } {
  const highest = { mid: 0, icid: 0, dcid: 0 };
  for (const file of logFiles(logsDir, 'mail_logs')) {
    let text: string;
    try {
      text = readFileSync(file, 'latin1');
    } catch {
      continue; // unreadable (a directory, no permission): the spool still counts
    }
    for (const m of text.matchAll(/\b(MID|ICID|DCID) (\d+)/g)) {
      const kind = m[1]!.toLowerCase() as keyof typeof highest;
      const n = Number(m[2]);
      if (n > highest[kind]) highest[kind] = n;
    }
  }
  return highest;
}

/** The last `count` lines of the current file. */
export function lastLines(file: string, count: number): string[] {
  if (!existsSync(file)) return [];
  const lines = readFileSync(file, 'utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.slice(-count);
}

/**
 * Follows a growing log file (tail -f), handing whole new lines to `onLines`, until the signal
 * aborts. A rotation (the file shrinks or is replaced) starts again from the top of the new file.
 */
export async function followFile(file: string, onLines: (lines: string[]) => void, signal: AbortSignal, pollMs = 200): Promise<void> {
  let offset = existsSync(file) ? statSync(file).size : 0;
  let partial = '';
  while (!signal.aborted) {
    // timers/promises takes its abort listener off again when the timer fires: one added per
    // poll and left would pass Node's limit of 10 within 2 s and print a warning on the terminal
    await sleep(pollMs, undefined, { signal }).catch(() => undefined);
    if (signal.aborted || !existsSync(file)) continue;
    const size = statSync(file).size;
    if (size < offset) offset = 0;
    if (size === offset) continue;
    const fd = openSync(file, 'r');
    try {
      const buffer = Buffer.alloc(size - offset);
      readSync(fd, buffer, 0, buffer.length, offset);
      offset = size;
      const text = partial + buffer.toString('utf8');
      const lines = text.split('\n');
      partial = lines.pop() ?? '';
      if (lines.length > 0) onLines(lines);
    } finally {
      closeSync(fd);
    }
  }
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const STAMP = /^\w{3} (\w{3}) ([ \d]\d) (\d\d):(\d\d):(\d\d) (\d{4}) \w+:/;

/** The time a mail_logs line was written (`Fri Feb 16 21:19:22 2024 Info: ...`), or null. */
export function lineTime(line: string): number | null {
  const m = STAMP.exec(line);
  if (!m) return null;
  const [, mon, day, hh, mm, ss, year] = m;
  return new Date(Number(year), MONTHS.indexOf(mon!), Number(day), Number(hh), Number(mm), Number(ss)).getTime();
}

/** The time of the newest line of a log (read from the end of its current file), or null. */
export function lastLineTime(logsDir: string, name = 'mail_logs'): number | null {
  return fileLineTime(join(logsDir, name), 'last');
}

/**
 * The time of the first or the last timestamped line of a file (read from that end, 64 KB at
 * most), or null; null too for what cannot be read as a file (a directory where the log should
 * be: MailLog keeps it aside and names it).
 */
function fileLineTime(file: string, which: 'first' | 'last'): number | null {
  let fd: number;
  try {
    fd = openSync(file, 'r');
    if (!fstatSync(fd).isFile()) {
      closeSync(fd);
      return null;
    }
  } catch {
    return null;
  }
  try {
    const size = fstatSync(fd).size;
    const part = Buffer.alloc(Math.min(size, 64 * 1024));
    readSync(fd, part, 0, part.length, which === 'last' ? size - part.length : 0);
    const lines = part.toString('utf8').split('\n');
    for (const line of which === 'last' ? lines.reverse() : lines) {
      const at = lineTime(line);
      if (at !== null) return at;
    }
    return null;
  } finally {
    closeSync(fd);
  }
}

/** A file of a log and the times of its first and last lines (null when it has none). */
export interface LogFileSpan {
  file: string;
  first: number | null;
  last: number | null;
}

/** The files of a log with the time each covers, oldest rotation first, the current file last. */
export function logFileSpans(logsDir: string, name: string): LogFileSpan[] {
  return logFiles(logsDir, name).map((file) => ({ file, first: fileLineTime(file, 'first'), last: fileLineTime(file, 'last') }));
}
