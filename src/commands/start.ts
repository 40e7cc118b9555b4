import { ErrorCodes, UserError } from '../errors.js';
import type { CommandSpec } from './types.js';

/**
 * `segsim start` is handled by the program itself (it starts servers in its own process); this
 * entry gives it help and a clear answer where it cannot run.
 */
export const startCommand: CommandSpec = {
  name: 'start',
  summary: 'Run the appliance headless until Ctrl-C; shells and commands in other terminals attach to it.',
  help: [
    'segsim [--home DIR] start',
    '',
    'Runs the appliance of the home directory without a shell: listener, queues, lab mail server,',
    'SETD emulator and control socket. "segsim" in another terminal then opens a shell attached to',
    'it, and "segsim COMMAND" runs one command on it. Stop it with Ctrl-C (or SIGTERM).',
  ].join('\n'),
  async run(ctx) {
    const why = ctx.appliance.live ? 'the appliance is running already, and this session is on it' : 'it starts the appliance in a process of its own';
    throw new UserError(`"start" runs from a terminal as "segsim start": ${why}.`, ErrorCodes.usage);
  },
};
