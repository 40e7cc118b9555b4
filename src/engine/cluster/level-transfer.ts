import { ErrorCodes, UserError } from '../../errors.js';
import type { CommitRecord } from '../config/committed.js';
import type { ApplianceConfig } from '../config/model.js';
import { configAt, levelSettings, type ClusterDoc } from './cluster-state.js';
import type { ClusterNode } from './cluster-node.js';
import { routeToLevel } from './level-source.js';
import { modeName, sameMode, type ClusterMode, type LeveledKey } from './levels.js';

/** What CLUSTERSET does with a command's settings. */
export type TransferOp = 'copy' | 'move' | 'delete';

/**
 * CLUSTERSET, in one commit (it takes effect at once, on every member): copy the settings `keys`
 * as seen from `from` to the level of `to` (which then holds them), move them (copy, then delete
 * them at `from`), or delete them from the level of `from` (its machines then use the next level
 * that holds them). The Cluster level's settings are what every machine falls back to: they can be
 * copied, never moved or deleted.
 */
export async function transferSettings(cluster: ClusterNode, keys: readonly LeveledKey[], op: TransferOp, from: ClusterMode, to: ClusterMode | null, by: string): Promise<CommitRecord> {
  const doc = cluster.doc;
  if (!doc) throw new UserError('This command is only available on cluster system.', ErrorCodes.conflict);
  const source = modeName(from, doc.name);
  if (op !== 'copy' && from.level === 'cluster') {
    throw new UserError(`The settings of ${source} cannot be ${op === 'move' ? 'moved' : 'deleted'}: every machine falls back to them. Copy them instead.`, ErrorCodes.conflict);
  }
  if (op === 'delete' && !holds(doc, from, keys)) throw new UserError(`${source} holds no such settings: there is nothing to delete.`, ErrorCodes.notFound);
  if (op !== 'delete' && (!to || sameMode(from, to))) throw new UserError(`Choose another mode than ${source} to ${op} the settings to.`, ErrorCodes.usage);
  const claims = new Set(keys);
  const comment = op === 'delete' ? `CLUSTERSET: deleted from ${source}` : `CLUSTERSET: ${op === 'copy' ? 'copied' : 'moved'} from ${source} to ${modeName(to!, doc.name)}`;
  return cluster.commitLevels(
    (d, current) => {
      let next = d;
      if (op !== 'delete') {
        const view = configAt(d, to!, current);
        const seen = configAt(d, from, current);
        const copied = structuredClone(view) as ApplianceConfig;
        for (const k of keys) (copied as unknown as Record<string, unknown>)[k] = structuredClone(seen[k]);
        next = routeToLevel(d, to!, view, copied, claims, (v) => cluster.stamp(v, d.self));
      }
      if (op !== 'copy') next = removeFromLevel(next, from, keys, (v) => cluster.stamp(v, d.self));
      return { doc: next, base: structuredClone(current) as ApplianceConfig };
    },
    comment,
    by,
  );
}

function holds(doc: ClusterDoc, mode: ClusterMode, keys: readonly LeveledKey[]): boolean {
  return keys.some((k) => levelSettings(doc, mode)[k] !== undefined);
}

/** The document without `keys` at `mode`'s level (not the Cluster level), that level's stamp advanced. */
function removeFromLevel(doc: ClusterDoc, mode: ClusterMode, keys: readonly LeveledKey[], stamp: (version: number) => ClusterDoc['shared']['stamp']): ClusterDoc {
  const out = structuredClone(doc);
  if (mode.level === 'machine') {
    const section = out.machines[mode.name];
    if (!section) return out;
    for (const k of keys) delete section.settings[k];
    section.stamp = stamp(section.stamp.version);
  } else if (mode.level === 'group') {
    const settings = out.shared.groups_settings[mode.name];
    if (!settings) return out;
    for (const k of keys) delete settings[k];
    out.shared.stamp = stamp(out.shared.stamp.version);
  }
  return out;
}
