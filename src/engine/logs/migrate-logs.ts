import { accessSync, constants, existsSync, readdirSync, renameSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ensureDir } from '../home.js';
import { tryKeepAside } from '../state-file.js';
import { currentFileName, fileLineTime, rolledFileName, rolledFiles, stampOf } from './log-files.js';

/** The logs segsim wrote before log subscriptions: one file each in logs/, rotated to `<name>.1`, `.2` ... */
const OLD_LOGS = [
  { name: 'mail_logs', prefix: 'mail' },
  { name: 'authentication', prefix: 'authentication' },
] as const;

/**
 * Moves the logs of a home made before log subscriptions into their directories: `logs/mail_logs`
 * and its rotations `mail_logs.N` become `logs/mail_logs/mail.current` and rolled files
 * `mail.@<stamp>.s` (stamped with each file's first line, oldest first), and the same for
 * `logs/authentication`. Files are renamed, never copied: no line is lost. The files are
 * gathered in `logs/.<name>.migrating` and that directory takes the log's name last, so that a
 * start interrupted half way goes on where it stopped. A file that cannot be read or moved is
 * kept aside (`<file>.bad-<time>`) or left where it is, and named in what this returns (the
 * problems, for the operator); nothing is done on a home in the new layout.
 */
export function migrateOldLogs(logsDir: string, now: number): string[] {
  const problems: string[] = [];
  let names: string[];
  try {
    names = readdirSync(logsDir);
  } catch {
    return problems; // no logs yet
  }
  for (const { name, prefix } of OLD_LOGS) {
    const old = join(logsDir, name);
    const staging = join(logsDir, `.${name}.migrating`);
    const rotations = names
      .map((f) => ({ f, n: f.startsWith(`${name}.`) && /^\d+$/.test(f.slice(name.length + 1)) ? Number(f.slice(name.length + 1)) : NaN }))
      .filter((x) => Number.isInteger(x.n))
      .sort((a, b) => b.n - a.n)
      .map((x) => join(logsDir, x.f));
    const st = statSync(old, { throwIfNoEntry: false });
    const oldIsFile = st !== undefined && !st.isDirectory();
    if (!oldIsFile && rotations.length === 0 && !existsSync(staging)) continue;
    // the new layout's directory already there (a rotation left over): the rotations go into it
    const target = st?.isDirectory() ? old : staging;
    try {
      ensureDir(target);
    } catch (error) {
      problems.push(`The ${name} log could not be moved to its directory ${old}: ${(error as Error).message}.`);
      continue;
    }
    let after = rolledFiles(target, prefix)
      .map(stampOf)
      .reduce<number>((a, b) => Math.max(a, b ?? -Infinity), -Infinity);
    const move = (file: string, to: (began: number) => string): boolean => {
      const problem = unreadable(file);
      if (problem) {
        const aside = tryKeepAside(file, now);
        problems.push(
          aside.keptAs === null
            ? `${file} ${problem} and could not be kept aside (${aside.error}); it is left where it is.`
            : `${file} ${problem}: it was kept aside as ${basename(aside.keptAs)}, not moved to ${target === staging ? old : target}.`,
        );
        return false;
      }
      const began = fileLineTime(file, 'first') ?? statSync(file).mtimeMs;
      try {
        renameSync(file, join(target, to(began)));
        return true;
      } catch (error) {
        problems.push(`${file} could not be moved to ${old}: ${(error as Error).message}; it is left where it is.`);
        return false;
      }
    };
    for (const rotation of rotations) {
      move(rotation, (began) => {
        // oldest first, each stamped after the one before (two files begun in one second keep their order)
        let stamp = Math.max(Math.floor(began / 1000) * 1000, after + 1000);
        while (existsSync(join(target, rolledFileName(prefix, stamp)))) stamp += 1000;
        after = stamp;
        return rolledFileName(prefix, stamp);
      });
    }
    if (oldIsFile) {
      const current = join(target, currentFileName(prefix));
      // a current file already there (should not be): the old one goes before it, as a rolled file
      move(old, existsSync(current) ? () => rolledFileName(prefix, after + 1000) : () => currentFileName(prefix));
    }
    if (target === staging && !existsSync(old)) {
      try {
        renameSync(staging, old);
      } catch (error) {
        problems.push(`The ${name} log's files, gathered in ${staging}, could not take the name ${old}: ${(error as Error).message}.`);
      }
    } else if (target === staging) {
      problems.push(`${old} could not be moved; the ${name} log's other files are in ${staging}.`);
    }
  }
  return problems;
}

/** Why a file cannot be moved as a log file (a directory, no read permission), or null. */
function unreadable(file: string): string | null {
  const st = statSync(file, { throwIfNoEntry: false });
  if (!st) return 'is gone';
  if (st.isDirectory()) return 'is a directory';
  if (!st.isFile()) return 'is not a file';
  try {
    accessSync(file, constants.R_OK);
    return null;
  } catch (error) {
    return `cannot be read (${(error as NodeJS.ErrnoException).code})`;
  }
}
