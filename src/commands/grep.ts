import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Appliance } from '../engine/appliance.js';
import { followFile } from '../engine/logs/log-files.js';
import { ErrorCodes, UserError } from '../errors.js';
import { chooseLog } from './tail.js';
import type { Conversation } from '../conversation/conversation.js';
import type { CommandSpec } from './types.js';

/** Lines per page when the output is paginated (AsyncOS pages by the terminal's height; a pty's is not known here). */
export const PAGE_LINES = 20;

function regexProblem(pattern: string): string | null {
  try {
    new RegExp(pattern);
    return null;
  } catch {
    return 'not a regular expression';
  }
}

function compile(pattern: string, ignoreCase: boolean): RegExp {
  try {
    return new RegExp(pattern, ignoreCase ? 'i' : '');
  } catch (error) {
    throw new UserError(`Invalid regular expression "${pattern}": ${(error as Error).message}.`, ErrorCodes.invalidValue);
  }
}

/** Lines that match, with `context` lines around each match; groups are separated by `--`. */
export function grepLines(lines: string[], re: RegExp, context: number): string[] {
  const keep = new Set<number>();
  lines.forEach((line, i) => {
    if (re.test(line)) for (let j = Math.max(0, i - context); j <= Math.min(lines.length - 1, i + context); j++) keep.add(j);
  });
  const out: string[] = [];
  let previous = -2;
  for (const i of [...keep].sort((a, b) => a - b)) {
    if (context > 0 && previous >= 0 && i > previous + 1) out.push('--');
    out.push(lines[i]!);
    previous = i;
  }
  return out;
}

/** A shell file pattern (`*`, `?`) over file names, as grep's -f takes it. */
function filePattern(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/** The files of a log that a file pattern names, oldest first, or why there are none (null when there are). */
function filesMatching(appliance: Appliance, name: string, pattern: string): { files: string[]; problem: string | null } {
  const all = appliance.logs.files(name);
  const re = filePattern(pattern);
  const files = all.filter((f) => re.test(basename(f)));
  const problem = files.length === 0 && all.length > 0 ? `no file of ${name} matches "${pattern}" (its files: ${all.map((f) => basename(f)).join(', ')})` : null;
  return { files, problem };
}

/** Prints lines a page at a time, asking between pages; `q` at the prompt stops. */
export async function printPaged(io: Conversation, lines: string[]): Promise<void> {
  for (let at = 0; at < lines.length; at += PAGE_LINES) {
    if (at > 0 && !(await io.more())) return;
    io.print(lines.slice(at, at + PAGE_LINES).join('\n'));
  }
}

export const grepCommand: CommandSpec = {
  name: 'grep',
  summary: 'Search for text in a log file.',
  help: [
    'grep -e REGEXP [-i] [-c] [-C LINES] [-f FILE_PATTERN] [-p] [-t] [LOG]',
    '',
    'Searches a log subscription (its current and rolled files) with a regular expression. -i ignores',
    'case, -c counts the matching lines, -C shows context lines, -f searches only the files whose',
    'names match a pattern (mail.current, mail.@2024*, *.s; default *), -p shows the matches a page',
    'at a time (in the shell), -t follows the log afterwards (until q, Esc, Enter or Ctrl-C). Without',
    '-e, asks as the appliance does: the log, the expression, case, tail, paginate and the file',
    'pattern. Examples:',
    '  grep -e "TDC:" mail_logs',
    '  segsim grep -e "MID 12 " -C 1 mail_logs',
    '  segsim grep -c -e "successfully delivered for scanning" mail_logs',
  ].join('\n'),
  args: '[log]',
  flags: [
    { flags: '-e, --regexp <regexp>', description: 'the regular expression' },
    { flags: '-i, --ignore-case', description: 'ignore case' },
    { flags: '-c, --count', description: 'print only the number of matching lines' },
    { flags: '-C, --context <lines>', description: 'lines of context around each match', number: { min: 0, max: 1000 } },
    { flags: '-t, --tail', description: 'follow the log for new matches' },
    { flags: '-f, --file-pattern <pattern>', description: 'search only the log files whose names match (* and ?; default *)' },
    { flags: '-p, --paginate', description: 'show the matches a page at a time (in the shell; one-shot runs print all)' },
  ],
  async run(ctx, { args, flags }) {
    let pattern = typeof flags.regexp === 'string' ? flags.regexp : undefined;
    let ignoreCase = flags.ignoreCase === true;
    let follow = flags.tail === true;
    let paginate = flags.paginate === true;
    let files = typeof flags.filePattern === 'string' ? flags.filePattern : '*';
    const sub = await chooseLog(ctx, args[0], 'grep');
    const name = sub.name;
    if (pattern === undefined) {
      if (!ctx.interactive) throw new UserError('grep needs -e REGEXP.', ErrorCodes.usage);
      pattern = await ctx.io.text('Enter the regular expression to grep.', { check: regexProblem });
      ignoreCase = await ctx.io.yesno('Do you want this search to be case insensitive?', true);
      follow = await ctx.io.yesno('Do you want to tail the logs?', false);
      paginate = await ctx.io.yesno('Do you want the results to be paginated?', false);
      const check = (p: string) => filesMatching(ctx.appliance, name, p).problem;
      files = await ctx.io.text('Enter the file pattern to search (* for all files).', { default: '*', check });
    }
    const context = flags.context === undefined ? 0 : Number(flags.context);
    if (!Number.isInteger(context) || context < 0) throw new UserError(`-C takes a whole number, not "${String(flags.context)}".`, ErrorCodes.usage);
    const re = compile(pattern, ignoreCase);
    const { files: chosen, problem } = filesMatching(ctx.appliance, name, files);
    if (problem) throw new UserError(`Unable to grep: ${problem}.`, ErrorCodes.notFound);
    const lines = chosen.flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .filter((l) => l !== ''),
    );
    const matches = grepLines(lines, re, context);
    if (flags.count) ctx.io.print(String(lines.filter((l) => re.test(l)).length));
    else if (matches.length === 0 && !follow) ctx.io.print('No results were found.');
    else if (paginate && ctx.interactive) await printPaged(ctx.io, matches);
    else if (matches.length > 0) ctx.io.print(matches.join('\n'));
    // the current file grows; a pattern that leaves it out has nothing to follow
    const current = ctx.appliance.logs.currentPath(sub);
    if (!follow || (chosen.length > 0 && !chosen.includes(current))) return;
    const printMatches = (added: string[]) => {
      const hit = added.filter((l) => re.test(l));
      if (hit.length > 0) ctx.io.print(hit.join('\n'));
    };
    await ctx.io.live(`Following ${name} for new matches.`, () => followFile(current, printMatches, ctx.signal));
  },
};
