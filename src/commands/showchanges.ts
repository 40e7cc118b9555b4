import { describeChange, type ConfigChange } from '../engine/config/changes.js';
import type { CommandSpec } from './types.js';

/** Renders changes one setting a line, as an operator reads them. */
export function formatChanges(changes: ConfigChange[]): string {
  return changes.map((c) => `  ${describeChange(c)}`).join('\n');
}

export const showchangesCommand: CommandSpec = {
  name: 'showchanges',
  summary: 'Show this session\'s pending (uncommitted) configuration changes.',
  help: 'showchanges [--json]',
  flags: [{ flags: '--json', description: 'print the changes as JSON' }],
  async run(ctx, { flags }) {
    const changes = ctx.session.config.changes();
    if (flags.json) {
      ctx.io.print(JSON.stringify(changes, null, 2));
      return;
    }
    ctx.io.print(changes.length === 0 ? 'No changes have been made since the last commit.' : `Uncommitted changes:\n${formatChanges(changes)}`);
  },
};
