import type { ConfigChange } from '../engine/config/session.js';
import type { CommandSpec } from './types.js';

/** Renders pending changes as `path: before -> after` lines. */
export function formatChanges(changes: ConfigChange[]): string {
  const show = (v: unknown) => (v === undefined ? '(none)' : JSON.stringify(v));
  return changes.map((c) => `  ${c.path}: ${show(c.before)} -> ${show(c.after)}`).join('\n');
}

export const showchangesCommand: CommandSpec = {
  name: 'showchanges',
  summary: 'Show the pending (uncommitted) configuration changes.',
  help: 'showchanges [--json]',
  flags: [{ flags: '--json', description: 'print the changes as JSON' }],
  async run(ctx, { flags }) {
    const changes = ctx.appliance.config.changes();
    if (flags.json) {
      ctx.io.print(JSON.stringify(changes, null, 2));
      return;
    }
    ctx.io.print(changes.length === 0 ? 'No changes have been made since the last commit.' : `Uncommitted changes:\n${formatChanges(changes)}`);
  },
};
