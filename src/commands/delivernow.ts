import { requireLive } from './live.js';
import type { CommandSpec } from './types.js';

export const delivernowCommand: CommandSpec = {
  name: 'delivernow',
  summary: 'Reschedule messages for immediate delivery.',
  help: 'delivernow [DOMAIN | ALL]\nExample: delivernow the.tdc.queue',
  args: '[domain]',
  async run(ctx, { args }) {
    const live = requireLive(ctx, 'delivernow');
    let target = args[0];
    if (target === undefined && ctx.interactive) {
      const choice = await ctx.io.list('Please choose an option for scheduling immediate delivery.', ['By recipient domain', 'All messages'], { default: 2 });
      target = choice === 0 ? await ctx.io.text('Please enter the domain to schedule for immediate delivery.') : 'ALL';
    }
    const all = target === undefined || target.toUpperCase() === 'ALL';
    live.deliverNow(all ? undefined : target);
    ctx.io.print(all ? 'Rescheduling all messages for immediate delivery.' : `Rescheduling messages for ${target} for immediate delivery.`);
  },
};
