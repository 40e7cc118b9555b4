import { requireLive } from './live.js';
import { parseDomains } from './suspenddel.js';
import type { CommandSpec } from './types.js';

export const resumedelCommand: CommandSpec = {
  name: 'resumedel',
  summary: 'Resume delivery.',
  help: 'resumedel [DOMAIN... | ALL]\nExample: resumedel ALL',
  args: '[domains...]',
  async run(ctx, { args }) {
    const live = requireLive(ctx, 'resumedel');
    let text = args.join(' ');
    if (text === '' && ctx.interactive) text = await ctx.io.text('Please enter the domain(s) to resume delivery for (comma separated) or ALL.', { default: 'ALL' });
    live.resumeDelivery(parseDomains(text));
    ctx.io.print('Mail delivery resumed.');
  },
};
