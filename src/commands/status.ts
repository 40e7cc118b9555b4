import { invalidArguments } from '../errors.js';
import { renderStatus } from './format/status-screen.js';
import { requireLive } from './live.js';
import type { CommandSpec } from './types.js';

export const statusCommand: CommandSpec = {
  name: 'status',
  summary: 'System status.',
  help: 'status [detail] [--json]\n\nHeader, counters (Reset / Uptime / Lifetime), gauges; "status detail" adds rates per hour.\nExamples:\n  status detail\n  segsim status --json',
  args: '[detail]',
  json: 'the status',
  async run(ctx, { args }) {
    if (args[0] !== undefined && args[0] !== 'detail') throw invalidArguments(`"${args[0]}" (status takes only "detail")`, 'status');
    const status = requireLive(ctx, 'status').status();
    return { data: status, render: (io) => io.print(renderStatus(status, args[0] === 'detail')) };
  },
};
