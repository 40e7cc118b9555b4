import { screenDate } from '../engine/time-format.js';
import { requireLive } from './live.js';
import type { CommandSpec } from './types.js';

export const resetcountersCommand: CommandSpec = {
  name: 'resetcounters',
  summary: 'Reset the counters shown by status, hoststatus and tophosts ("Reset" column).',
  help: 'resetcounters\n\nUptime and lifetime counters are kept.',
  async run(ctx) {
    requireLive(ctx, 'resetcounters').resetCounters();
    ctx.io.print(`Counters reset: ${screenDate(ctx.appliance.clock.now())}`);
  },
};
