import { screenDate } from '../engine/time-format.js';
import { ErrorCodes, UserError } from '../errors.js';
import { count } from './format/numbers.js';
import { pause, requireLive } from './live.js';
import type { CommandContext, CommandSpec } from './types.js';

const OPERATIONS = [
  { keyword: 'STATUS', description: 'Display work queue status' },
  { keyword: 'PAUSE', description: 'Pause the work queue' },
  { keyword: 'RESUME', description: 'Resume the work queue' },
  { keyword: 'RATE', description: 'Display work queue statistics over time' },
];

async function operate(ctx: CommandContext, op: string, flags: Record<string, unknown>): Promise<void> {
  const live = requireLive(ctx, 'workqueue');
  const wq = live.workQueue();
  switch (op) {
    case 'STATUS':
      ctx.io.print(`Status: ${wq.paused ? 'Paused by admin' : 'Operational'}\nMessages: ${count(wq.messages)}`);
      return;
    case 'PAUSE': {
      if (ctx.interactive && !(await ctx.io.yesno('Manually pause work queue? This will stop the processing of messages.', false))) return;
      const reason = typeof flags.reason === 'string' ? flags.reason : ctx.interactive ? await ctx.io.text('Enter a reason for pausing the work queue.', { allowBlank: true }) : '';
      live.pauseWorkQueue(reason);
      ctx.io.print('Work queue paused.');
      return;
    }
    case 'RESUME':
      live.resumeWorkQueue();
      ctx.io.print('Work queue resumed.');
      return;
    case 'RATE': {
      const seconds =
        flags.seconds === undefined ? (ctx.interactive ? await ctx.io.number('Enter the number of seconds between displays.', { min: 1, max: 3600, default: 10 }) : 10) : Number(flags.seconds);
      ctx.io.print('Type Ctrl-C to return to the main prompt.\n\nTime        Pending    In   Out');
      let previous = live.status().counters.uptime;
      return ctx.io.live(`Refreshing every ${seconds} s.`, async () => {
        do {
          const now = live.status();
          const inbound = now.counters.uptime.messagesReceived - previous.messagesReceived;
          const outbound = now.counters.uptime.deliveredRecipients - previous.deliveredRecipients;
          previous = now.counters.uptime;
          ctx.io.print(`${screenDate(now.now).slice(11, 19)}  ${count(live.workQueue().messages).padStart(9)} ${count(inbound).padStart(5)} ${count(outbound).padStart(5)}`);
        } while (!(await pause(seconds * 1000, ctx.signal)));
      });
    }
  }
}

export const workqueueCommand: CommandSpec = {
  name: 'workqueue',
  summary: 'Display and/or alter work queue pause status.',
  help: 'workqueue [status|pause|resume|rate] [--reason TEXT] [--seconds N]\nExamples:\n  workqueue status\n  segsim workqueue pause --reason "maintenance"',
  // the bare command opens its menu; operations also come in capitals (workqueue PAUSE), as AsyncOS takes them
  args: '[operation]',
  runsWithoutSubcommand: true,
  flags: [
    { flags: '--reason <text>', description: 'why the work queue is paused (pause)' },
    { flags: '--seconds <n>', description: 'seconds between displays (rate)', number: { min: 1, max: 3600 } },
  ],
  subcommands: [
    { name: 'status', summary: 'whether the work queue runs, and how many messages it holds' },
    { name: 'pause', summary: 'stop processing messages', flags: [{ flags: '--reason <text>', description: 'why the work queue is paused' }] },
    { name: 'resume', summary: 'process messages again' },
    { name: 'rate', summary: 'messages in and out, every few seconds', flags: [{ flags: '--seconds <n>', description: 'seconds between displays', number: { min: 1, max: 3600 } }] },
  ],
  async run(ctx, { args, flags }) {
    if (args[0] !== undefined) {
      const op = args[0].toUpperCase();
      if (!OPERATIONS.some((o) => o.keyword === op)) throw new UserError(`Unknown workqueue operation "${args[0]}": use status, pause, resume or rate.`, ErrorCodes.usage);
      await operate(ctx, op, flags);
      return;
    }
    if (!ctx.interactive) {
      await operate(ctx, 'STATUS', flags);
      return;
    }
    await operate(ctx, 'STATUS', flags);
    for (let op = await ctx.io.menu(OPERATIONS); op !== null; op = await ctx.io.menu(OPERATIONS)) await operate(ctx, op, flags);
  },
};
