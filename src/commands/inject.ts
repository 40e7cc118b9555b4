import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isDomain, memberProblem } from '../engine/config/validate.js';
import { CancelledError, ErrorCodes, UserError } from '../errors.js';
import type { InjectSummary, TrafficSpec } from '../lab/traffic.js';
import { count } from './format/numbers.js';
import { parseDecimal } from './numbers.js';
import { PLAIN_STYLES, type Styles } from '../conversation/line-io.js';
import type { CommandContext, CommandSpec } from './types.js';

function share(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  const pct = Number(value);
  if (!(pct >= 0 && pct <= 100)) throw new UserError(`--${name} takes a percentage from 0 to 100, not "${String(value)}".`, ErrorCodes.usage);
  return pct / 100;
}

const whole = (value: unknown, name: string, min: number, max: number): number | undefined => (value === undefined ? undefined : parseDecimal(value, { name: `--${name}`, min, max }));

/** .eml files named directly, or every .eml in a named directory. */
function emlFiles(paths: string[]): string[] {
  return paths.flatMap((p) => {
    if (!existsSync(p)) throw new UserError(`No such .eml file or directory: ${p}`, ErrorCodes.notFound);
    return statSync(p).isDirectory()
      ? readdirSync(p)
          .filter((f) => f.endsWith('.eml'))
          .sort()
          .map((f) => join(p, f))
      : [p];
  });
}

function target(ctx: CommandContext, flags: Record<string, unknown>) {
  const listener = ctx.appliance.live?.listenerAddress() ?? { host: ctx.session.config.committed.listener.bindAddress, port: ctx.session.config.committed.listener.port };
  return { host: typeof flags.host === 'string' ? flags.host : listener.host === '0.0.0.0' ? '127.0.0.1' : listener.host, port: whole(flags.port, 'port', 1, 65535) ?? listener.port };
}

/** What was sent and how it was received; refusals stand out where the front end has colour. */
export function renderSummary(s: InjectSummary, style: Styles = PLAIN_STYLES): string {
  const rate = s.seconds > 0 ? ` (${count(s.accepted / s.seconds)} msg/s)` : '';
  const refused = (line: string) => (s.refused > 0 ? style.warn(line) : line);
  return [
    `Injected ${count(s.attempted)} messages in ${s.seconds.toFixed(1)} s${rate}.`,
    `  Accepted: ${count(s.accepted)}`,
    refused(`  Refused:  ${count(s.refused)}`),
    ...Object.entries(s.reasons).map(([reason, n]) => refused(`    ${count(n)} x ${reason}`)),
  ].join('\n');
}

function progressBar(done: number, total: number): string {
  const width = 30;
  const filled = Math.round((done / total) * width);
  return `Injecting [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${count(done)}/${count(total)}`;
}

export const injectCommand: CommandSpec = {
  name: 'inject',
  summary: 'Send test traffic to the listener over SMTP (lab).',
  help: [
    'inject [--count N] [--to ADDRESS|DOMAIN...] [--from ADDRESS...] [--spam PCT] [--virus PCT]',
    '       [--size BYTES] [--rcpts N] [--subject TEXT] [--eml FILE|DIR...] [--concurrency N]',
    '',
    'Generated messages (GTUBE makes a spam positive, EICAR a virus positive) or .eml files are sent',
    "to the appliance's listener on this machine; a summary counts accepted and refused messages.",
    'Examples:',
    '  inject --count 100 --to example.com --spam 10 --virus 5',
    '  segsim inject --eml fixtures/mail --count 3',
  ].join('\n'),
  flags: [
    { flags: '--count <n>', description: 'how many messages (default 10)' },
    { flags: '--to <address>', description: 'recipient address or domain (repeatable)', repeatable: true },
    { flags: '--from <address>', description: 'envelope sender (repeatable)', repeatable: true },
    { flags: '--rcpts <n>', description: 'recipients per message (default 1)' },
    { flags: '--size <bytes>', description: 'approximate body size (default 1500)' },
    { flags: '--spam <pct>', description: 'percentage of messages with the GTUBE string' },
    { flags: '--virus <pct>', description: 'percentage of messages with the EICAR string' },
    { flags: '--subject <text>', description: 'subject of generated messages' },
    { flags: '--eml <path>', description: '.eml file or directory to send instead (repeatable)', repeatable: true },
    { flags: '--concurrency <n>', description: 'parallel SMTP sessions (default 5)' },
    { flags: '--host <host>', description: 'listener host (loopback only; default the appliance listener)' },
    { flags: '--port <port>', description: 'listener port (default the appliance listener)' },
  ],
  json: 'the summary',
  async run(ctx, { flags }) {
    const spec: TrafficSpec = {
      count: whole(flags.count, 'count', 1, 1_000_000) ?? 10,
      to: flags.to as string[] | undefined,
      from: flags.from as string[] | undefined,
      recipientsPerMessage: whole(flags.rcpts, 'rcpts', 1, 100),
      size: whole(flags.size, 'size', 0, 50_000_000),
      spam: share(flags.spam, 'spam'),
      virus: share(flags.virus, 'virus'),
      subject: typeof flags.subject === 'string' ? flags.subject : undefined,
      eml: flags.eml ? emlFiles(flags.eml as string[]) : undefined,
      concurrency: whole(flags.concurrency, 'concurrency', 1, 50),
    };
    const noFlags = Object.values(flags).every((v) => v === undefined);
    if (noFlags && ctx.interactive && !ctx.json) {
      spec.count = await ctx.io.number('How many messages do you want to send?', { min: 1, max: 1_000_000, default: 10 });
      spec.to = [await ctx.io.text('Enter the recipient domain or address.', { default: ctx.session.config.committed.listener.acceptDomains[0] ?? 'example.com', validate: (v) => memberProblem(v) })];
      spec.spam = (await ctx.io.number('What percentage should be spam (GTUBE)?', { min: 0, max: 100, default: 0 })) / 100;
      spec.virus = (await ctx.io.number('What percentage should carry a virus (EICAR)?', { min: 0, max: 100, default: 0 })) / 100;
    }
    for (const t of spec.to ?? []) {
      if (!t.includes('@') && !isDomain(t)) throw new UserError(`--to "${t}" is neither an address nor a domain.`, ErrorCodes.invalidValue);
    }
    const { injectTraffic } = await import('../lab/traffic.js');
    let planned = 0;
    const summary = await injectTraffic(
      target(ctx, flags),
      spec,
      (done, total) => {
        planned = total;
        if (!ctx.json) ctx.io.progress(progressBar(done, total));
      },
      ctx.signal,
    );
    const interrupted = ctx.signal.aborted;
    return {
      data: summary,
      render: (io) => {
        if (interrupted) io.print(io.style.warn(`Interrupted: ${count(summary.attempted)} of ${count(planned)} messages sent.`));
        io.print(renderSummary(summary, io.style));
        // what was sent is reported; a one-shot run still ends as interrupted (exit status 130)
        if (interrupted) throw new CancelledError();
      },
    };
  },
};
