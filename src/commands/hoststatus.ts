import { ErrorCodes, UserError } from '../errors.js';
import { renderHoststatus } from './format/hoststatus-screen.js';
import { requireLive } from './live.js';
import type { CommandSpec } from './types.js';

export const hoststatusCommand: CommandSpec = {
  name: 'hoststatus',
  summary: 'Get the status of the given hostname.',
  help: 'hoststatus [DOMAIN] [--json]\n\nCounters and gauges of one destination; the.tdc.queue works like any domain.\nExamples:\n  hoststatus the.tdc.queue\n  segsim hoststatus example.com --json',
  args: '[domain]',
  json: 'the host status',
  async run(ctx, { args }) {
    const live = requireLive(ctx, 'hoststatus');
    const name = args[0] ?? (ctx.interactive ? await ctx.io.text('Recipient host:') : undefined);
    if (name === undefined) throw new UserError('hoststatus needs a domain.', ErrorCodes.usage);
    const host = live.hosts().find((h) => h.host.toLowerCase() === name.toLowerCase());
    if (!host) throw new UserError(`No record of host: ${name}`, ErrorCodes.notFound);
    return { data: host, render: (io) => io.print(renderHoststatus(host, ctx.appliance.clock.now())) };
  },
};
