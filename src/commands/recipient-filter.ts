import type { RecipientFilter } from '../engine/live.js';
import { ErrorCodes, UserError } from '../errors.js';
import type { CommandContext } from './types.js';

/** The recipients a queue command applies to: from --host/--sender/--all, else asked. */
export async function chooseRecipients(ctx: CommandContext, flags: Record<string, unknown>, verb: string): Promise<RecipientFilter> {
  if (typeof flags.host === 'string') return { host: flags.host };
  if (typeof flags.sender === 'string') return { sender: flags.sender, caseSensitive: flags.caseSensitive === true };
  if (flags.all === true) return { all: true };
  if (!ctx.interactive) throw new UserError(`Say which recipients to ${verb}: --host DOMAIN, --sender ADDRESS or --all.`, ErrorCodes.usage);
  const choice = await ctx.io.list(`Please select how you would like to ${verb} messages:`, ['By recipient host.', 'By Envelope From address.', 'All.'], { default: 1 });
  if (choice === 0) return { host: await ctx.io.text('Please enter the hostname for the messages you wish to ' + verb + '.') };
  if (choice === 1) {
    const sender = await ctx.io.text('Please enter the Envelope From address for the messages you wish to ' + verb + '.');
    return { sender, caseSensitive: await ctx.io.yesno('Do you want the search to be case sensitive?', false) };
  }
  return { all: true };
}

export const RECIPIENT_FLAGS = [
  { flags: '--host <domain>', description: 'recipients queued for this destination (the.tdc.queue included)' },
  { flags: '--sender <address>', description: 'recipients of messages from this Envelope From' },
  { flags: '--case-sensitive', description: 'match --sender case-sensitively' },
  { flags: '--all', description: 'every queued recipient' },
];
