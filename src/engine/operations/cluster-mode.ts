import type { Appliance } from '../appliance.js';
import { memberOf, type ClusterDoc } from '../cluster/cluster-state.js';
import { modeName, sameMode, type ClusterMode } from '../cluster/levels.js';
import type { Session } from '../sessions.js';
import { ErrorCodes } from '../../errors.js';
import { SettingError } from './setting-error.js';

/*
 * A session's cluster level (its mode): which level of the cluster's settings its configuration
 * commands and pages read and edit. The CLI's clustermode and --mode and the web's Change Mode
 * move it through these.
 */

/**
 * A mode from words: `cluster`, `group [NAME]`, `machine [NAME]` (case-insensitive). Without a
 * name, Machine is the machine you are logged in to and Group its group.
 */
export function resolveMode(doc: ClusterDoc, level: string, name: string | undefined): ClusterMode {
  const l = level.toLowerCase();
  if (l === 'cluster' && name === undefined) return { level: 'cluster' };
  if (l === 'group' || l === 'machine') {
    const names = l === 'group' ? doc.shared.groups : doc.shared.members.map((m) => m.name);
    if (name === undefined) return { level: l, name: l === 'machine' ? doc.self : (memberOf(doc, doc.self)?.group ?? doc.shared.groups[0]!) };
    const hit = names.find((n) => n.toLowerCase() === name.toLowerCase());
    if (!hit) throw new SettingError('cluster.mode', `unknown ${l} "${name}": choose one of ${names.join(', ')}`, { code: ErrorCodes.notFound });
    return { level: l, name: hit };
  }
  throw new SettingError('cluster.mode', `unknown mode "${[level, name].filter((w) => w !== undefined).join(' ')}": use cluster, group [NAME] or machine [NAME]`, { code: ErrorCodes.usage });
}

/** A mode written as one word, as `--mode` and the web's Change Mode give it: `cluster`, `group[:NAME]`, `machine[:NAME]`. */
export function modeFromText(doc: ClusterDoc, text: string): ClusterMode {
  const [level, ...name] = text.split(':');
  return resolveMode(doc, level!, name.length ? name.join(':') : undefined);
}

/** The one-word form of a mode (modeFromText reads it back). */
export function modeText(mode: ClusterMode): string {
  return mode.level === 'cluster' ? 'cluster' : `${mode.level}:${mode.name}`;
}

/** The mode a session is in now; a mode the cluster no longer has (a removed machine or group) falls back to Cluster. */
export function sessionMode(appliance: Appliance, session: Session): ClusterMode | null {
  const doc = appliance.cluster.doc;
  if (!doc) return (session.mode = null);
  const mode = session.mode;
  const gone = mode && ((mode.level === 'machine' && !memberOf(doc, mode.name)) || (mode.level === 'group' && !doc.shared.groups.includes(mode.name)));
  // a session opened before the cluster existed moves to Cluster mode once it has nothing pending
  if ((!mode && !session.config.hasChanges()) || gone) session.mode = { level: 'cluster' };
  return session.mode;
}

/** Changes the session's mode; refused while it has uncommitted changes (they belong to the mode they were made in). */
export function switchMode(appliance: Appliance, session: Session, mode: ClusterMode): void {
  const doc = appliance.cluster.doc!;
  const now = session.mode;
  if (now && sameMode(now, mode)) return;
  if (session.config.hasChanges()) {
    throw new SettingError(
      'cluster.mode',
      `this session has uncommitted changes in ${now ? `"${modeName(now, doc.name)}"` : 'standalone'} mode: commit or clear them before switching to "${modeName(mode, doc.name)}" mode`,
      { code: ErrorCodes.conflict },
    );
  }
  session.mode = mode;
}
