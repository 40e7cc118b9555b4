import type { ClusterDoc } from '../engine/cluster/cluster-state.js';
import { holderOf } from '../engine/cluster/cluster-state.js';
import { transferSettings, type TransferOp } from '../engine/cluster/level-transfer.js';
import { modeName, type ClusterMode, type LeveledKey } from '../engine/cluster/levels.js';
import { ErrorCodes, UserError } from '../errors.js';
import { modeFromText, resolveMode, sessionMode } from '../engine/operations/cluster-mode.js';
import { COMMAND_KEYS } from './cluster-gate.js';
import { renderPlacement, settingsPlacement } from './cluster-screens.js';
import type { CommandContext, CommandOutput, FlagSpec } from './types.js';

/**
 * CLUSTERSET and CLUSTERSHOW of a per-level configuration command (AsyncOS §7): the menu items
 * (on a clustered appliance only), their dialogs, and the batch flags. CLUSTERSET acts on the
 * command's settings as seen from the session's mode, at once (no commit), on every member.
 */

/** The batch flags; they run alone, so each conflicts with the command's own actions (long names). */
export function clusterSettingsFlags(actions: string[]): FlagSpec[] {
  return [
    { flags: '--clustershow', description: 'on a cluster: the levels that hold these settings, and the one each machine uses', conflicts: actions },
    {
      flags: '--clusterset <op>',
      description: "on a cluster: copy, move or delete these settings of this session's mode (--mode), at once",
      choices: ['copy', 'move', 'delete'],
      conflicts: [...actions, '--clustershow'],
    },
    { flags: '--to <mode>', description: 'with --clusterset copy or move: cluster, group[:NAME] or machine[:NAME]', needs: ['--clusterset'] },
  ];
}

const ITEMS = [
  { keyword: 'CLUSTERSET', description: 'Set how these settings are configured in a cluster.' },
  { keyword: 'CLUSTERSHOW', description: 'Display how these settings are configured in a cluster.' },
];

/** The menu items a command adds to its operations: none on a standalone appliance. */
export function clusterSettingsItems(ctx: CommandContext): typeof ITEMS {
  return ctx.appliance.cluster.doc ? ITEMS : [];
}

function clustered(ctx: CommandContext, command: string): { doc: ClusterDoc; mode: ClusterMode; keys: readonly LeveledKey[] } {
  const doc = ctx.appliance.cluster.doc;
  const mode = sessionMode(ctx.appliance, ctx.session);
  const keys = COMMAND_KEYS[command];
  if (!doc || !mode || !keys) throw new UserError(`${command}: CLUSTERSET and CLUSTERSHOW are only available on cluster system.`, ErrorCodes.conflict);
  return { doc, mode, keys };
}

/** Runs a menu answer if it is CLUSTERSET or CLUSTERSHOW; false when it is another operation. */
export async function clusterSettingsOp(ctx: CommandContext, command: string, op: string): Promise<boolean> {
  if (!ITEMS.some((i) => i.keyword === op)) return false;
  const { doc, mode, keys } = clustered(ctx, command);
  if (op === 'CLUSTERSHOW') {
    ctx.io.print(`\n${renderPlacement(settingsPlacement(doc, keys))}`);
    ctx.io.print();
    return true;
  }
  requireNoChanges(ctx);
  const here = modeName(mode, doc.name);
  ctx.io.print(`\nYou can copy the current settings (as seen from ${here}) to another mode, move them there, or delete them from this mode.`);
  const choice = await ctx.io.list('Choose the operation you want to perform.', ['Copy the settings to another mode.', 'Move the settings to another mode.', 'Delete the settings from this mode.'], {
    allowBlank: true,
  });
  if (choice === null) return true;
  const op3: TransferOp = (['copy', 'move', 'delete'] as const)[choice]!;
  let to: ClusterMode | null = null;
  if (op3 !== 'delete') {
    to = await chooseMode(ctx, doc, op3);
    if (!to) return true;
  }
  const question =
    op3 === 'delete'
      ? `The settings will be deleted from ${here}; ${fallback(doc, mode, keys)}. Are you sure you want to continue?`
      : `The settings of ${modeName(to!, doc.name)} will be replaced by those seen from ${here}${op3 === 'move' ? `, and deleted from ${here}` : ''}. Are you sure you want to continue?`;
  if (!(await ctx.io.yesno(question, false))) return true;
  ctx.io.print(await transfer(ctx, keys, op3, mode, to));
  ctx.io.print();
  return true;
}

/** `Copy the settings to`: Cluster, a group (by name or number), a machine. */
async function chooseMode(ctx: CommandContext, doc: ClusterDoc, op: TransferOp): Promise<ClusterMode | null> {
  const level = await ctx.io.list(`\nChoose the mode to ${op} the settings to.`, ['Cluster', 'Group', 'Machine'], { allowBlank: true });
  if (level === null) return null;
  if (level === 0) return { level: 'cluster' };
  const names = level === 1 ? doc.shared.groups : doc.shared.members.map((m) => m.name);
  const i = await ctx.io.list(level === 1 ? `Enter the group name or number to ${op} to.` : 'Choose a machine.', names, { allowBlank: true });
  return i === null ? null : resolveMode(doc, level === 1 ? 'group' : 'machine', names[i]!);
}

/** What the machines of a level use once its settings are deleted. */
function fallback(doc: ClusterDoc, mode: ClusterMode, keys: readonly LeveledKey[]): string {
  const without = structuredClone(doc);
  const next = mode.level === 'machine' ? without.machines[mode.name]?.settings : mode.level === 'group' ? without.shared.groups_settings[mode.name] : undefined;
  for (const k of keys) if (next) delete next[k];
  const holder = holderOf(without, mode, keys[0]!);
  return holder ? `this mode then uses those of ${modeName(holder, doc.name)}` : 'no level holds them then';
}

/** CLUSTERSET takes effect at once: the session's own pending changes would be left behind at a level they were not made for. */
function requireNoChanges(ctx: CommandContext): void {
  if (ctx.session.config.hasChanges()) throw new UserError('This session has uncommitted changes: commit or clear them before CLUSTERSET (it takes effect at once).', ErrorCodes.conflict);
}

async function transfer(ctx: CommandContext, keys: readonly LeveledKey[], op: TransferOp, from: ClusterMode, to: ClusterMode | null): Promise<string> {
  await transferSettings(ctx.appliance.cluster, keys, op, from, to, ctx.session.config.owner);
  const name = ctx.appliance.cluster.doc?.name ?? '';
  const done = op === 'delete' ? `deleted from ${modeName(from, name)}` : `${op === 'copy' ? 'copied' : 'moved'} to ${modeName(to!, name)}`;
  return `The settings were ${done}. The change takes effect immediately, there is no need to commit.`;
}

/** The batch flags, when given: CLUSTERSHOW's data, or CLUSTERSET done; null when neither was given. */
export async function clusterSettingsBatch(ctx: CommandContext, command: string, flags: Record<string, unknown>): Promise<CommandOutput | null> {
  if (flags.clustershow === undefined && flags.clusterset === undefined) return null;
  const { doc, mode, keys } = clustered(ctx, command);
  if (flags.clustershow !== undefined) {
    const placement = settingsPlacement(doc, keys);
    return { data: placement, render: (io) => io.print(renderPlacement(placement)) };
  }
  requireNoChanges(ctx);
  const op = String(flags.clusterset) as TransferOp;
  if (op !== 'delete' && typeof flags.to !== 'string') throw new UserError(`--clusterset ${op} needs --to MODE (cluster, group[:NAME] or machine[:NAME]).`, ErrorCodes.usage);
  const to = op === 'delete' ? null : modeFromText(doc, String(flags.to));
  const text = await transfer(ctx, keys, op, mode, to);
  return { data: { op, from: modeName(mode, doc.name), to: to && modeName(to, doc.name) }, render: (io) => io.print(text) };
}
