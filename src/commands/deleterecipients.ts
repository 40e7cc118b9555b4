import { requireLive } from './live.js';
import { chooseRecipients, RECIPIENT_FLAGS } from './recipient-filter.js';
import type { CommandSpec } from './types.js';

export const deleterecipientsCommand: CommandSpec = {
  name: 'deleterecipients',
  summary: 'Delete messages from the queue by recipient host, Envelope From address, or all.',
  help: 'deleterecipients [--host DOMAIN | --sender ADDRESS | --all] [--yes]\nExample: segsim deleterecipients --host the.tdc.queue --yes',
  flags: [...RECIPIENT_FLAGS, { flags: '--yes', description: 'do not ask for confirmation' }],
  async run(ctx, { flags }) {
    const live = requireLive(ctx, 'deleterecipients');
    const filter = await chooseRecipients(ctx, flags, 'delete');
    if ('host' in filter && !live.hosts().some((h) => h.host.toLowerCase() === filter.host.toLowerCase())) {
      ctx.io.print('No record of that host.');
      return;
    }
    if (ctx.interactive && flags.yes !== true && !(await ctx.io.yesno('Are you sure you want to delete these recipients?', false))) return;
    const deleted = live.deleteRecipients(filter);
    ctx.io.print(deleted === 0 ? 'No recipients deleted.' : `${deleted} ${deleted === 1 ? 'recipient' : 'recipients'} deleted.`);
  },
};
