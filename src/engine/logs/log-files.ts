import { closeSync, existsSync, fstatSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const pad = (n: number) => String(n).padStart(2, '0');

/** The current file of a subscription whose files are named `prefix`: `mail.current`. */
export function currentFileName(prefix: string): string {
  return `${prefix}.current`;
}

/** A rolled file's name: `mail.@20240216T211922.s`, stamped (local time) with when the file began. */
export function rolledFileName(prefix: string, began: number): string {
  const d = new Date(began);
  return `${prefix}.@${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}T${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}.s`;
}

const ROLLED = /^(.+)\.@(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)\.s$/;

/** The time a rolled file's name is stamped with (ms), or null for a name of another form. */
export function stampOf(file: string): number | null {
  const m = ROLLED.exec(basename(file));
  if (!m) return null;
  const [, , y, mo, d, h, mi, s] = m.map(Number);
  return new Date(y!, mo! - 1, d, h, mi, s).getTime();
}

function entries(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** The rolled files of `prefix` in a subscription's directory, oldest first (full paths). */
export function rolledFiles(dir: string, prefix: string): string[] {
  return entries(dir)
    .filter((f) => ROLLED.exec(f)?.[1] === prefix)
    .sort()
    .map((f) => join(dir, f));
}

/**
 * A log subscription's files (`logs/<name>/`), oldest rolled file first, the current file last:
 * what `grep` searches and `findevent` offers. A copy kept aside (`.bad-<time>`) is none of them.
 */
export function logFiles(logsDir: string, name: string): string[] {
  const dir = join(logsDir, name);
  const names = entries(dir).filter((f) => !f.includes('.bad-'));
  // by stamp (the names of one prefix sort by it), whatever the prefix
  const rolled = names.filter((f) => ROLLED.test(f)).sort((a, b) => stampOf(a)! - stampOf(b)! || a.localeCompare(b));
  const current = names.filter((f) => f.endsWith('.current')).sort();
  return [...rolled, ...current].map((f) => join(dir, f));
}

/** A subscription's current file (`logs/mail_logs/mail.current`), or null when it has none yet. */
export function currentLogFile(logsDir: string, name: string): string | null {
  const current = logFiles(logsDir, name).at(-1);
  return current?.endsWith('.current') ? current : null;
}

/**
 * The highest MID, ICID and DCID the given mail log files mention (0 for a kind never seen).
 * Read only to rebuild a lost state/ids.json: a whole scan of every file.
 */
export function highestLoggedIds(files: readonly string[]): { mid: number; icid: number; dcid: number } {
  const highest = { mid: 0, icid: 0, dcid: 0 };
  for (const file of files) {
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
 * aborts. A rollover (the file renamed away and a new one begun) reads the rest of the old file,
 * then the new one from its top; a file cut short starts again from its top.
 */
export async function followFile(file: string, onLines: (lines: string[]) => void, signal: AbortSignal, pollMs = 200): Promise<void> {
  interface Opened {
    fd: number;
    ino: number;
    offset: number;
  }
  let partial = '';
  const openFile = (atEnd: boolean): Opened | null => {
    try {
      const fd = openSync(file, 'r');
      const st = fstatSync(fd);
      return { fd, ino: st.ino, offset: atEnd ? st.size : 0 };
    } catch {
      return null;
    }
  };
  const readNew = (at: Opened) => {
    const size = fstatSync(at.fd).size;
    if (size < at.offset) at.offset = 0;
    if (size === at.offset) return;
    const buffer = Buffer.alloc(size - at.offset);
    readSync(at.fd, buffer, 0, buffer.length, at.offset);
    at.offset = size;
    const lines = (partial + buffer.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    if (lines.length > 0) onLines(lines);
  };
  let open = openFile(true);
  try {
    while (!signal.aborted) {
      // timers/promises takes its abort listener off again when the timer fires: one added per
      // poll and left would pass Node's limit of 10 within 2 s and print a warning on the terminal
      await sleep(pollMs, undefined, { signal }).catch(() => undefined);
      if (signal.aborted) break;
      if (open) readNew(open);
      const ino = statSync(file, { throwIfNoEntry: false })?.ino;
      if (ino === undefined || ino === open?.ino) continue;
      // rolled over (or begun): the new file from its top
      if (open) closeSync(open.fd);
      open = openFile(false);
      if (open) readNew(open);
    }
  } finally {
    if (open) closeSync(open.fd);
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

/** The time of the newest line of the given files (read from the end of each), or null. */
export function lastLineTime(files: readonly string[]): number | null {
  let last: number | null = null;
  for (const file of files) {
    const at = fileLineTime(file, 'last');
    if (at !== null && (last === null || at > last)) last = at;
  }
  return last;
}

/**
 * The time of the first or the last timestamped line of a file (read from that end, 64 KB at
 * most), or null; null too for what cannot be read as a file (a directory where the log should
 * be: LogWriter keeps it aside and names it).
 */
export function fileLineTime(file: string, which: 'first' | 'last'): number | null {
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
