import type { CommandSpec } from './types.js';

export const clearCommand: CommandSpec = {
  name: 'clear',
  aliases: ['clearchanges'],
  summary: 'Discard the pending configuration changes.',
  help: 'clear [--yes]\n\nDiscards every change made since the last commit.',
  flags: [{ flags: '--yes', description: 'do not ask for confirmation' }],
  async run(ctx, { flags }) {
    const config = ctx.session.config;
    if (!config.hasChanges()) {
      ctx.io.print('No changes have been made since the last commit.');
      return;
    }
    const sure = flags.yes === true || !ctx.interactive || (await ctx.io.yesno('Are you sure you want to clear all changes since the last commit?', true));
    if (!sure) return;
    config.clear();
    ctx.io.print('Changes cleared.');
  },
};
