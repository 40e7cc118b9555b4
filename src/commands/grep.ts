import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { followFile, logFiles } from '../engine/log-files.js';
import { ErrorCodes, UserError } from '../errors.js';
import { chooseLog } from './tail.js';
import type { CommandSpec } from './types.js';

function regexProblem(pattern: string): string | null {
  try {
    new RegExp(pattern);
    return null;
  } catch {
    return 'That value is not valid: not a regular expression.';
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

export const grepCommand: CommandSpec = {
  name: 'grep',
  summary: 'Search for text in a log file.',
  help: [
    'grep -e REGEXP [-i] [-c] [-C LINES] [-t] [LOG]',
    '',
    'Searches mail_logs (and its rotated files) with a regular expression. -i ignores case, -c counts',
    'the matching lines, -C shows context lines, -t follows the log afterwards (until q, Esc, Enter or Ctrl-C).',
    'Without -e, asks for the log, the expression and the options. Examples:',
    '  grep -e "TDC:" mail_logs',
    '  segsim grep -e "MID 12 " -C 1 mail_logs',
    '  segsim grep -c -e "successfully delivered for scanning" mail_logs',
  ].join('\n'),
  args: '[log]',
  flags: [
    { flags: '-e, --regexp <regexp>', description: 'the regular expression' },
    { flags: '-i, --ignore-case', description: 'ignore case' },
    { flags: '-c, --count', description: 'print only the number of matching lines' },
    { flags: '-C, --context <lines>', description: 'lines of context around each match' },
    { flags: '-t, --tail', description: 'follow the log for new matches' },
    { flags: '-p, --paginate', description: 'accepted for compatibility (output is not paged)' },
  ],
  async run(ctx, { args, flags }) {
    let pattern = typeof flags.regexp === 'string' ? flags.regexp : undefined;
    let ignoreCase = flags.ignoreCase === true;
    let follow = flags.tail === true;
    const name = await chooseLog(ctx, args[0], 'grep');
    if (pattern === undefined) {
      if (!ctx.interactive) throw new UserError('grep needs -e REGEXP.', ErrorCodes.usage);
      pattern = await ctx.io.text('Enter the regular expression to grep.', { validate: regexProblem });
      ignoreCase = await ctx.io.yesno('Do you want this search to be case insensitive?', true);
      follow = await ctx.io.yesno('Do you want to tail the logs?', false);
    }
    const context = flags.context === undefined ? 0 : Number(flags.context);
    if (!Number.isInteger(context) || context < 0) throw new UserError(`-C takes a whole number, not "${String(flags.context)}".`, ErrorCodes.usage);
    const re = compile(pattern, ignoreCase);
    const lines = logFiles(ctx.appliance.paths.logs, name).flatMap((f) => readFileSync(f, 'utf8').split('\n').filter((l) => l !== ''));
    const matches = grepLines(lines, re, context);
    if (flags.count) ctx.io.print(String(lines.filter((l) => re.test(l)).length));
    else if (matches.length === 0 && !follow) ctx.io.print('No results were found.');
    else if (matches.length > 0) ctx.io.print(matches.join('\n'));
    if (!follow) return;
    const printMatches = (added: string[]) => {
      const hit = added.filter((l) => re.test(l));
      if (hit.length > 0) ctx.io.print(hit.join('\n'));
    };
    await ctx.io.live(`Following ${name} for new matches.`, () => followFile(join(ctx.appliance.paths.logs, name), printMatches, ctx.signal));
  },
};
