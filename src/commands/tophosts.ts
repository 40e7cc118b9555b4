import { ErrorCodes, UserError } from '../errors.js';
import { renderTophosts, topHosts, TOPHOSTS_SORTS, tophostsSort, type TophostsSort } from './format/tophosts-table.js';
import { pause, requireLive } from './live.js';
import type { CommandSpec } from './types.js';

export const tophostsCommand: CommandSpec = {
  name: 'tophosts',
  summary: 'Display the top hosts by queue size.',
  help: [
    'tophosts [active_rcpts|conn_out|deliv_rcpts|hard_bounced|soft_bounced] [--sort active|connections|delivered|hard|soft] [--watch [SECONDS]] [--json]',
    '',
    'The order can be given inline as on AsyncOS (tophosts active_rcpts) or with --sort; without',
    'either, asks how to sort (Active Recipients by default). the.tdc.queue, the Threat Defense',
    "Connector's queue, appears like any destination; the.encryption.queue, the.euq.queue and",
    'the.euq.release.queue are always listed. --watch refreshes the table in place every second',
    '(or every SECONDS) until q, Esc, Enter or Ctrl-C. Examples:',
    '  tophosts active_rcpts',
    '  tophosts --sort active --watch',
    '  segsim tophosts --json',
  ].join('\n'),
  args: '[sort]',
  flags: [
    { flags: '--sort <by>', description: 'active, connections, delivered, hard or soft' },
    { flags: '--watch [seconds]', description: 'refresh in place until q, Esc, Enter or Ctrl-C' },
  ],
  json: 'the rows',
  async run(ctx, { args, flags }) {
    const live = requireLive(ctx, 'tophosts');
    let sort: TophostsSort = 'active';
    const named = args[0] ?? (typeof flags.sort === 'string' ? flags.sort : undefined);
    if (args[0] !== undefined && typeof flags.sort === 'string') throw new UserError(`Give the order once: "${args[0]}" or --sort ${flags.sort}.`, ErrorCodes.usage);
    if (named !== undefined) {
      const hit = tophostsSort(named);
      if (!hit) throw new UserError(`Unknown sort "${named}": use ${TOPHOSTS_SORTS.map((s) => s.keyword).join(', ')} (or --sort ${TOPHOSTS_SORTS.map((s) => s.key).join(', ')}).`, ErrorCodes.usage);
      sort = hit;
    } else if (ctx.interactive && !ctx.json) {
      const index = await ctx.io.list(
        'Sort results by:',
        TOPHOSTS_SORTS.map((s) => s.label),
        { default: 1 },
      );
      sort = TOPHOSTS_SORTS[index ?? 0]!.key;
    }
    const screen = () => renderTophosts(live.hosts(), sort, ctx.appliance.clock.now());
    if (ctx.json || flags.watch === undefined || flags.watch === false) {
      const hosts = live.hosts();
      return { data: topHosts(hosts, sort), render: (io) => io.print(renderTophosts(hosts, sort, ctx.appliance.clock.now())) };
    }
    const seconds = flags.watch === true ? 1 : Number(flags.watch);
    if (!(seconds > 0)) throw new UserError(`--watch takes a number of seconds above 0, not "${String(flags.watch)}".`, ErrorCodes.usage);
    await ctx.io.live(`Refreshing every ${seconds} s.`, async () => {
      do ctx.io.frame(screen());
      while (!(await pause(seconds * 1000, ctx.signal)));
    });
  },
};
