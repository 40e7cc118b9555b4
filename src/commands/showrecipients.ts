import { renderShowrecipients } from './format/showrecipients-table.js';
import { requireLive } from './live.js';
import { chooseRecipients, RECIPIENT_FLAGS } from './recipient-filter.js';
import type { CommandSpec } from './types.js';

export const showrecipientsCommand: CommandSpec = {
  name: 'showrecipients',
  summary: 'Show messages from the queue by recipient host, Envelope From address, or all messages.',
  help: 'showrecipients [--host DOMAIN | --sender ADDRESS [--case-sensitive] | --all] [--json]\nExample: showrecipients --host the.tdc.queue',
  flags: RECIPIENT_FLAGS,
  json: 'the recipients',
  async run(ctx, { flags }) {
    const live = requireLive(ctx, 'showrecipients');
    const rows = live.queuedRecipients(await chooseRecipients(ctx, flags, 'show'));
    return { data: rows, render: (io) => io.print(renderShowrecipients(rows)) };
  },
};
