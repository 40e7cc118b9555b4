import { ErrorCodes, UserError } from '../errors.js';
import type { CommandSpec } from './types.js';

const HOSTNAME = /^(?=.{1,253}$)(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*$/;

export const sethostnameCommand: CommandSpec = {
  name: 'sethostname',
  summary: 'Set the name of the appliance.',
  help: 'sethostname [NAME]\n\nExample: sethostname esa2.example.com (then commit)',
  args: '[name]',
  configures: true,
  async run(ctx, { args }) {
    const name =
      args[0] ??
      (ctx.interactive
        ? await ctx.io.text('Enter the new hostname.', {
            default: ctx.session.config.pending.hostname,
            validate: (v) => (HOSTNAME.test(v) ? null : 'That value is not valid: enter a host name such as esa1.example.com.'),
          })
        : undefined);
    if (name === undefined) {
      ctx.io.print(ctx.session.config.pending.hostname);
      return;
    }
    if (!HOSTNAME.test(name)) throw new UserError(`Invalid hostname "${name}".`, ErrorCodes.invalidValue);
    ctx.session.config.edit((c) => {
      c.hostname = name;
    });
  },
};
