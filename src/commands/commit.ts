import { asyncosDate } from '../engine/time-format.js';
import type { CommandSpec } from './types.js';

export const commitCommand: CommandSpec = {
  name: 'commit',
  summary: 'Commit the pending configuration changes.',
  help: 'commit [--comment TEXT]\n\nAsks for a comment describing the changes, then applies them to the running appliance.\nExample: commit --comment "enable TDC"',
  flags: [{ flags: '--comment <text>', description: 'comment describing the changes' }],
  async run(ctx, { flags }) {
    const config = ctx.session.config;
    if (!config.hasChanges()) {
      ctx.io.print('There are no changes to commit: no data to commit.');
      return;
    }
    const comment =
      typeof flags.comment === 'string'
        ? flags.comment
        : ctx.interactive
          ? await ctx.io.text('Please enter some comments describing your changes:', { allowBlank: true })
          : '';
    const record = await config.commit(comment);
    if (record) ctx.io.print(`\nChanges committed: ${asyncosDate(record.at)}`);
  },
};
