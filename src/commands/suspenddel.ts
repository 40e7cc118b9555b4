import { requireLive } from './live.js';
import type { CommandSpec } from './types.js';

/** `ALL` or a comma/space separated list of domains. */
export function parseDomains(text: string): string[] | 'ALL' {
  const words = text.split(/[\s,]+/).filter(Boolean);
  return words.length === 0 || words.some((w) => w.toUpperCase() === 'ALL') ? 'ALL' : words;
}

export const suspenddelCommand: CommandSpec = {
  name: 'suspenddel',
  summary: 'Suspend delivery.',
  help: 'suspenddel [DOMAIN... | ALL]\n\nQueued mail stays queued; resumedel continues. Example: suspenddel the.tdc.queue',
  args: '[domains...]',
  async run(ctx, { args }) {
    const live = requireLive(ctx, 'suspenddel');
    let text = args.join(' ');
    if (text === '' && ctx.interactive) {
      await ctx.io.number('Enter the number of seconds to wait before abruptly closing connections.', { min: 0, max: 3600, default: 30 });
      text = await ctx.io.text('Please enter the domain(s) to suspend delivery for (comma separated) or ALL.', { default: 'ALL' });
    }
    const domains = parseDomains(text);
    live.suspendDelivery(domains);
    ctx.io.print(domains === 'ALL' ? 'Mail delivery suspended.' : `Mail delivery suspended for ${domains.join(', ')}.`);
  },
};
