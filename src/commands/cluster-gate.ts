import type { ClusterDoc } from '../engine/cluster/cluster-state.js';
import { chainFrom, levelSettings } from '../engine/cluster/cluster-state.js';
import { levelSourceOf } from '../engine/cluster/level-source.js';
import { modeName, sameMode, type ClusterMode, type LeveledKey } from '../engine/cluster/levels.js';
import { defaultConfig, type ApplianceConfig } from '../engine/config/model.js';
import type { Appliance } from '../engine/appliance.js';
import type { Session } from '../engine/sessions.js';
import { ErrorCodes, UserError } from '../errors.js';
import { modeFromText, sessionMode, switchMode } from '../engine/operations/cluster-mode.js';
import type { CommandContext, CommandSpec } from './types.js';

// the session's mode is the engine's; these stay importable from here for the command line

/**
 * Commands that run only in one mode on a clustered appliance (AsyncOS 9.1 table 39-2, as far as
 * segsim has the commands). sethostname and listenerconfig are machine-only here because the
 * hostname, the listener and the lab ports are always Machine level in segsim.
 */
const RESTRICTED: Record<string, 'machine' | 'cluster'> = {
  tophosts: 'machine',
  hoststatus: 'machine',
  delivernow: 'machine',
  deleterecipients: 'machine',
  suspenddel: 'machine',
  resumedel: 'machine',
  interfaceconfig: 'machine',
  sethostname: 'machine',
  listenerconfig: 'machine',
  clusterconfig: 'cluster',
  clustercheck: 'cluster',
  passwd: 'cluster',
};

/** The settings each configuration command edits (the NOTICE asks when the current level holds none of them; CLUSTERSET moves them). */
export const COMMAND_KEYS: Readonly<Record<string, readonly LeveledKey[]>> = {
  tdcconfig: ['tdc'],
  policyconfig: ['incomingPolicies', 'outgoingPolicies'],
  smtproutes: ['smtpRoutes'],
  destconfig: ['destinationControls'],
};

/** `(Cluster Hosted_Cluster)`: the prompt of a session on a clustered appliance, null standalone. */
export function modePrompt(appliance: Appliance, session: Session): string | null {
  const mode = sessionMode(appliance, session);
  const doc = appliance.cluster.doc;
  return mode && doc ? `(${modeName(mode, doc.name)})` : null;
}

const holds = (doc: ClusterDoc, mode: ClusterMode, keys: readonly LeveledKey[]) => keys.some((k) => levelSettings(doc, mode)[k] !== undefined);

/**
 * Before a command runs on a clustered appliance: the switch question of a command restricted to
 * another mode, and the NOTICE of a configuration command whose settings are not at the current
 * level. Returns false when the operator declines (the command does not run). Without a terminal
 * (one-shot runs) nothing is asked: a restricted command runs in the mode it needs, and a
 * configuration command edits the session's level: the one `requested` names (a one-shot run's
 * `--mode`: `cluster`, `group[:NAME]`, `machine[:NAME]`), else Cluster.
 */
export async function enterCommandMode(ctx: CommandContext, spec: CommandSpec, requested?: string): Promise<boolean> {
  const { appliance, session } = ctx;
  const doc = appliance.cluster.doc;
  if (requested !== undefined) {
    if (!doc) throw new UserError(`--mode ${requested}: this command is only available on cluster system (this machine is not in a cluster).`, ErrorCodes.conflict);
    switchMode(appliance, session, modeFromText(doc, requested));
  }
  const mode = sessionMode(appliance, session);
  if (!doc || !mode) return true;
  const restricted = RESTRICTED[spec.name];
  if (restricted) {
    const wanted: ClusterMode = restricted === 'machine' ? { level: 'machine', name: doc.self } : { level: 'cluster' };
    if (sameMode(mode, wanted)) return true;
    if (requested !== undefined) throw new UserError(`${spec.name} is restricted to "${modeName(wanted, doc.name)}" mode: it cannot run with --mode ${requested}.`, ErrorCodes.usage);
    if (!ctx.interactive) {
      switchMode(appliance, session, wanted);
      return true;
    }
    const question =
      restricted === 'machine'
        ? `This command is restricted to run in machine mode of the machine you are logged in to.  Do you want to switch to "${modeName(wanted, doc.name)}" mode?`
        : `This command is restricted to "cluster" mode.  Would you like to switch to "${modeName(wanted, doc.name)}" mode?`;
    if (!(await ctx.io.yesno(question, true))) return false;
    switchMode(appliance, session, wanted);
    return true;
  }
  const keys = COMMAND_KEYS[spec.name];
  if (!keys || !ctx.interactive || holds(doc, mode, keys)) return true;
  return notice(ctx, doc, mode, keys);
}

async function notice(ctx: CommandContext, doc: ClusterDoc, mode: ClusterMode, keys: readonly LeveledKey[]): Promise<boolean> {
  const here = modeName(mode, doc.name);
  // where the settings this machine runs on are: the level to offer a switch to
  const search = mode.level === 'cluster' ? chainFrom(doc, { level: 'machine', name: doc.self }) : chainFrom(doc, mode);
  const holder = search.find((m) => !sameMode(m, mode) && holds(doc, m, keys));
  ctx.io.print(`\nNOTICE: This configuration command has not yet been configured for the current cluster mode (${here}).`);
  if (!holder) {
    if (!(await ctx.io.yesno(`Do you want to start a new, empty configuration at the current mode (${here})?`, true))) return false;
    await startHere(ctx, keys, true);
    return true;
  }
  const choice = await ctx.io.list(
    '\nWhat would you like to do?',
    [
      `Switch modes to edit at mode "${modeName(holder, doc.name)}".`,
      `Start a new, empty configuration at the current mode (${here}).`,
      `Copy settings from another cluster mode to the current mode (${here}).`,
    ],
    { default: 1 },
  );
  if (choice === 0) switchMode(ctx.appliance, ctx.session, holder);
  else await startHere(ctx, keys, choice === 1);
  return true;
}

/**
 * The session's level takes the command's settings. Empty: the defaults of a fresh appliance, as
 * pending changes to commit. Copied: the values in effect, at once (nothing this machine runs on
 * changes; the level holds them from now on), so that the command edits them at this level.
 */
async function startHere(ctx: CommandContext, keys: readonly LeveledKey[], empty: boolean): Promise<void> {
  const source = levelSourceOf(ctx.appliance.cluster, ctx.appliance.configuration, ctx.session);
  if (empty) {
    const fresh = defaultConfig();
    ctx.session.config.edit((draft) => {
      for (const k of keys) (draft as unknown as Record<string, unknown>)[k] = structuredClone(fresh[k as keyof ApplianceConfig]);
    });
    if (ctx.session.config.hasChanges()) return source.claim(keys);
  }
  await source.establish(keys, ctx.session.config.owner);
  ctx.io.print(`The settings are now held at this level; they take effect at once (no commit needed for the copy).`);
}
