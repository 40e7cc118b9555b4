import { describeChange, type ConfigChange } from '../engine/config/changes.js';
import type { CommandSpec } from './types.js';

/** Renders changes one setting a line, as an operator reads them. */
export function formatChanges(changes: ConfigChange[]): string {
  return changes.map((c) => `  ${describeChange(c)}`).join('\n');
}

export const showchangesCommand: CommandSpec = {
  name: 'showchanges',
  summary: "Show this session's pending (uncommitted) configuration changes.",
  help: 'showchanges [--json]',
  json: 'the changes',
  async run(ctx) {
    const changes = ctx.session.config.changes();
    return {
      data: changes,
      render: (io) => io.print(changes.length === 0 ? 'No changes have been made since the last commit.' : `Uncommitted changes:\n${formatChanges(changes)}`),
    };
  },
};
