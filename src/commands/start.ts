import { ErrorCodes, UserError } from '../errors.js';
import type { CommandSpec } from './types.js';

/**
 * `segsim start` and `segsim stop` are handled by the program itself (they start or stop
 * servers in a process of their own); these entries give them help and a clear answer where they
 * cannot run.
 */
export const startCommand: CommandSpec = {
  name: 'start',
  summary: 'Run the appliance headless (until Ctrl-C, or in the background with --detach); shells and commands in other terminals attach to it.',
  help: [
    'segsim [--home DIR] start [--detach]',
    '',
    'Runs the appliance of the home directory without a shell: listener, queues, lab mail server,',
    'SETD emulator, web interface and control socket. "segsim" in another terminal then opens a',
    'shell attached to it, and "segsim COMMAND" runs one command on it. Stop it with Ctrl-C (or',
    'SIGTERM), or with "segsim stop".',
    '',
    '--detach  run it in the background: returns once every service listens, printing what runs',
    '          where and the pid (exit 0), or why it did not start (exit 1). Its output goes to',
    '          segsim.log in the home directory.',
  ].join('\n'),
  flags: [{ flags: '--detach', description: 'run in the background; return once the appliance is ready' }],
  async run(ctx) {
    throw new UserError(`"start" runs from a terminal as "segsim start": ${elsewhere(ctx.appliance.live !== null)}.`, ErrorCodes.usage);
  },
};

export const stopCommand: CommandSpec = {
  name: 'stop',
  summary: 'Stop the appliance running headless on the home directory, and wait until it has stopped.',
  help: [
    'segsim [--home DIR] stop',
    '',
    'Stops the appliance that "segsim start" (or "segsim start --detach") runs on the home',
    'directory, as Ctrl-C does, and returns once its process has exited (exit 0). With no',
    'appliance running there it says so and exits 1. An appliance inside a shell stops when',
    'that shell quits.',
  ].join('\n'),
  async run(ctx) {
    throw new UserError(`"stop" runs from a terminal as "segsim stop": ${elsewhere(ctx.appliance.live !== null)}.`, ErrorCodes.usage);
  },
};

function elsewhere(live: boolean): string {
  return live ? 'the appliance is running already, and this session is on it' : 'it runs in a process of its own';
}
