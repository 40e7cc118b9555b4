import type { CommandSpec } from './types.js';

export const rollovernowCommand: CommandSpec = {
  name: 'rollovernow',
  summary: 'Roll over a log file.',
  help: [
    'rollovernow [LOG]',
    '',
    "Rolls the named log subscription's current file over now (every subscription when none is",
    'named): mail.current becomes mail.@<time>.s and a new mail.current begins. Examples:',
    '  rollovernow mail_logs',
    '  segsim rollovernow',
  ].join('\n'),
  args: '[log]',
  async run(ctx, { args }) {
    ctx.appliance.logs.rollover(args[0] === undefined ? [] : [args[0]]);
  },
};
