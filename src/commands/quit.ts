import type { CommandSpec } from './types.js';

export const quitCommand: CommandSpec = {
  name: 'quit',
  aliases: ['exit', 'q'],
  summary: 'Leave the command line.',
  help: 'quit\n\nWith uncommitted changes, asks for confirmation first; the changes are lost.',
  async run(ctx) {
    if (ctx.session.config.hasChanges() && ctx.interactive) {
      ctx.io.print('You have uncommitted changes. Leaving now will discard them.');
      if (!(await ctx.io.yesno('Are you sure you wish to exit?', false))) return;
    }
    ctx.shell?.exit();
  },
};
