import { saveRollbackPoint } from '../engine/config/rollback-points.js';
import { invalidArguments } from '../errors.js';
import { changesCommitted, ROLLBACK_QUESTION } from './format/commit-lines.js';
import type { CommandSpec } from './types.js';

export const commitCommand: CommandSpec = {
  name: 'commit',
  summary: 'Commit the pending configuration changes.',
  help: [
    'commit [--comment TEXT] [--no-rollback]',
    'commit "COMMENT" [Y|N]',
    '',
    'Asks for a comment describing the changes and whether to save the configuration for rollback',
    '(Y by default: a copy in the rollback folder of the home, the last 10 kept), then applies the',
    'changes to the running appliance. With --comment it asks nothing and saves the rollback point',
    'unless --no-rollback is given. The batch form of scripts (commit "COMMENT", commit "COMMENT" Y)',
    'asks nothing either: Y or N says whether to save the rollback point (Y when left out), and it',
    'prints nothing when the changes are committed.',
    'Examples: commit --comment "enable TDC" --no-rollback',
    '          commit "enable TDC" Y',
  ].join('\n'),
  args: '[comment] [rollback]',
  flags: [
    { flags: '--comment <text>', description: 'comment describing the changes' },
    { flags: '--no-rollback', description: 'do not save the configuration for rollback (and do not ask)' },
  ],
  async run(ctx, { args, flags }) {
    const [batchComment, batchRollback] = args;
    if (batchRollback !== undefined && !/^[yn]$/i.test(batchRollback)) throw invalidArguments(`"${batchRollback}" (commit "COMMENT" takes Y or N after the comment)`, 'commit');
    if (batchComment !== undefined && typeof flags.comment === 'string') throw invalidArguments('the comment is given twice (a word and --comment)', 'commit');
    const config = ctx.session.config;
    if (!config.hasChanges()) {
      ctx.io.print('There is no data to commit.');
      return;
    }
    // a conflict is told before the questions: their answers could not be used
    const conflict = config.conflict();
    if (conflict) throw conflict;
    // the batch form (--comment) asks nothing: the rollback point is saved unless --no-rollback
    const given = batchComment ?? (typeof flags.comment === 'string' ? flags.comment : undefined);
    const dialog = given === undefined && ctx.interactive;
    const comment = given ?? (dialog ? await ctx.io.text('Please enter some comments describing your changes:', { allowBlank: true }) : '');
    const rollback = flags.rollback !== false && batchRollback?.toUpperCase() !== 'N' && (!dialog || (await ctx.io.yesno(ROLLBACK_QUESTION, true)));
    const record = await config.commit(comment);
    if (!record) return;
    if (rollback) saveRollbackPoint(ctx.appliance.paths, ctx.appliance.configuration.current, record);
    // the batch form is silent: scripts (Splunk SOAR's ciscoesa) take any output of a change batch for an error
    if (batchComment === undefined) ctx.io.print(`\n${changesCommitted(record.at)}`);
  },
};
