import { invalidArguments } from '../errors.js';
import type { CommandSpec } from './types.js';

/**
 * AsyncOS's hidden terminal-mode command. Test harnesses (Cisco's SARF library) send
 * `setttymode 0 1` right after logging in to turn the pager off; what the numbers mean beyond
 * that is not known (ecosystem.md §1.7), so the first says whether output is paged and the second
 * is taken and kept to itself. Prints nothing, as the harness expects only the prompt back.
 */
export const setttymodeCommand: CommandSpec = {
  name: 'setttymode',
  summary: 'Terminal mode for the session (hidden; setttymode 0 1 turns paging off).',
  help: 'setttymode PAGING MODE\n\nPAGING 0 turns the pager (-Press Any Key For More-) off for this session, 1 back on.\nExample: setttymode 0 1',
  args: '[mode...]',
  hidden: true,
  async run(ctx, { args }) {
    if (args.length !== 2 || !args.every((a) => a === '0' || a === '1')) throw invalidArguments(`"${args.join(' ')}" (setttymode takes two numbers, 0 or 1: setttymode 0 1)`, 'setttymode');
    ctx.io.paging(args[0] === '1');
  },
};
