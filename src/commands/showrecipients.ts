import type { QueuedRecipient } from '../engine/live.js';
import { asyncosDate } from '../engine/time-format.js';
import { requireLive } from './live.js';
import { chooseRecipients, RECIPIENT_FLAGS } from './recipient-filter.js';
import type { CommandSpec } from './types.js';

/** The queued recipients, one a line, as showrecipients lists them. */
function renderRecipients(rows: QueuedRecipient[]): string {
  if (rows.length === 0) return 'There are no messages in the queue.';
  return [
    `${'Message ID'.padEnd(12)}${'Size'.padEnd(8)}${'Sender'.padEnd(28)}${'Recipient'.padEnd(34)}${'Subject'.padEnd(24)}Queued`,
    ...rows.map((r) =>
      `${String(r.mid).padEnd(12)}${`${Math.ceil(r.size / 1024)}K`.padEnd(8)}${r.sender.padEnd(28)}${r.recipient.padEnd(34)}${r.subject.slice(0, 22).padEnd(24)}${asyncosDate(r.queuedAt)}`,
    ),
    '',
    `${rows.length} ${rows.length === 1 ? 'recipient' : 'recipients'} listed.`,
  ].join('\n');
}

export const showrecipientsCommand: CommandSpec = {
  name: 'showrecipients',
  summary: 'Show messages from the queue by recipient host, Envelope From address, or all messages.',
  help: 'showrecipients [--host DOMAIN | --sender ADDRESS [--case-sensitive] | --all] [--json]\nExample: showrecipients --host the.tdc.queue',
  flags: RECIPIENT_FLAGS,
  json: 'the recipients',
  async run(ctx, { flags }) {
    const live = requireLive(ctx, 'showrecipients');
    const rows = live.queuedRecipients(await chooseRecipients(ctx, flags, 'show'));
    return { data: rows, render: (io) => io.print(renderRecipients(rows)) };
  },
};
