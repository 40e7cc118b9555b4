import { checkValue, HOSTNAME } from '../engine/config/validate.js';
import type { CommandSpec } from './types.js';

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
            check: HOSTNAME.problem,
          })
        : undefined);
    if (name === undefined) {
      ctx.io.print(ctx.session.config.pending.hostname);
      return;
    }
    checkValue(HOSTNAME, name);
    ctx.session.config.edit((c) => {
      c.hostname = name;
    });
  },
};
