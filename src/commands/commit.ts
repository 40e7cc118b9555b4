import { saveRollbackPoint } from '../engine/config/rollback-points.js';
import { changesCommitted, ROLLBACK_QUESTION } from './format/commit-lines.js';
import type { CommandSpec } from './types.js';

export const commitCommand: CommandSpec = {
  name: 'commit',
  summary: 'Commit the pending configuration changes.',
  help: [
    'commit [--comment TEXT] [--no-rollback]',
    '',
    'Asks for a comment describing the changes and whether to save the configuration for rollback',
    '(Y by default: a copy in the rollback folder of the home, the last 10 kept), then applies the',
    'changes to the running appliance. With --comment it asks nothing and saves the rollback point',
    'unless --no-rollback is given.',
    'Example: commit --comment "enable TDC" --no-rollback',
  ].join('\n'),
  flags: [
    { flags: '--comment <text>', description: 'comment describing the changes' },
    { flags: '--no-rollback', description: 'do not save the configuration for rollback (and do not ask)' },
  ],
  async run(ctx, { flags }) {
    const config = ctx.session.config;
    if (!config.hasChanges()) {
      ctx.io.print('There are no changes to commit: no data to commit.');
      return;
    }
    // a conflict is told before the questions: their answers could not be used
    const conflict = config.conflict();
    if (conflict) throw conflict;
    // the batch form (--comment) asks nothing: the rollback point is saved unless --no-rollback
    const dialog = typeof flags.comment !== 'string' && ctx.interactive;
    const comment = typeof flags.comment === 'string' ? flags.comment : dialog ? await ctx.io.text('Please enter some comments describing your changes:', { allowBlank: true }) : '';
    const rollback = flags.rollback !== false && (!dialog || (await ctx.io.yesno(ROLLBACK_QUESTION, true)));
    const record = await config.commit(comment);
    if (!record) return;
    if (rollback) saveRollbackPoint(ctx.appliance.paths, ctx.appliance.configuration.current, record);
    ctx.io.print(`\n${changesCommitted(record.at)}`);
  },
};
