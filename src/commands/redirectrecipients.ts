import { isDomain } from '../engine/config/validate.js';
import { ErrorCodes, UserError } from '../errors.js';
import { requireLive } from './live.js';
import type { CommandSpec } from './types.js';

const HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\d{1,3}(\.\d{1,3}){3}(:\d{1,5})?$/;

export const redirectrecipientsCommand: CommandSpec = {
  name: 'redirectrecipients',
  summary: 'Redirect all messages to another relay host.',
  help: 'redirectrecipients [HOST[:PORT]] [--yes]\n\nAll queued and new mail goes to HOST. Example: redirectrecipients exchange.lab --yes',
  args: '[host]',
  flags: [{ flags: '--yes', description: 'do not ask for confirmation' }],
  async run(ctx, { args, flags }) {
    const live = requireLive(ctx, 'redirectrecipients');
    const valid = (h: string) => (HOST.test(h) && (isDomain(h.split(':')[0]!) || /^\d/.test(h) || h.startsWith('localhost')) ? null : 'enter a host name or IP address');
    const host = args[0] ?? (ctx.interactive ? await ctx.io.text('Please enter the hostname or IP address of the machine you want to send all mail to.', { check: valid }) : undefined);
    if (host === undefined) throw new UserError('redirectrecipients needs a host.', ErrorCodes.usage);
    const problem = valid(host);
    if (problem) throw new UserError(`The host "${host}" is not valid: ${problem}.`, ErrorCodes.invalidValue);
    if (ctx.interactive && flags.yes !== true && !(await ctx.io.yesno(`Are you sure you want to redirect all mail to ${host}?`, false))) return;
    live.redirectAll(host);
    ctx.io.print(`All mail will be redirected to ${host}.`);
  },
};
