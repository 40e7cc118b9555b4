import type { ApplianceConfig } from '../config/model.js';

/**
 * Cluster levels, as AsyncOS Centralized Management has them: a setting is held at Cluster,
 * Group or Machine level, and a machine runs on the most specific level that holds it (Machine
 * over Group over Cluster). Here the unit is a top-level configuration key: a level holds the
 * whole key (all mail policies, all SMTP routes, ...) or nothing of it.
 */
export const LEVELED_KEYS = ['tdc', 'incomingPolicies', 'outgoingPolicies', 'smtpRoutes', 'destinationControls', 'bounceProfile'] as const;

/** A configuration key that follows the levels; every other key (hostname, listener, lab) is always the machine's own. */
export type LeveledKey = (typeof LEVELED_KEYS)[number];

/** What one level holds: some keys, each whole. */
export type LevelSettings = { [K in LeveledKey]?: ApplianceConfig[K] };

export const DEFAULT_GROUP = 'Main_Group';

const CLUSTER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
/** Why a cluster or group name is not valid (null: it is): `Hosted_Cluster`, `Main_Group`. */
export function clusterNameProblem(name: string, what: 'cluster' | 'group' = 'cluster'): string | null {
  return CLUSTER_NAME.test(name) ? null : `a ${what} name is letters, digits, "_", "." or "-" (at most 64), starting with a letter or digit`;
}
/** The port of AsyncOS's Cluster Communication Service. */
export const CCS_PORT = 2222;

/** The configuration mode of a session on a clustered appliance (what `clustermode` sets). */
export type ClusterMode = { level: 'cluster' } | { level: 'group'; name: string } | { level: 'machine'; name: string };

/** `Cluster Hosted_Cluster`, `Group Main_Group`, `Machine esa1.example.com`: the prompt's words and the NOTICE's. */
export function modeName(mode: ClusterMode, clusterName: string): string {
  if (mode.level === 'cluster') return `Cluster ${clusterName}`;
  return `${mode.level === 'group' ? 'Group' : 'Machine'} ${mode.name}`;
}

export function sameMode(a: ClusterMode, b: ClusterMode): boolean {
  return a.level === b.level && (a.level === 'cluster' || a.name === (b as { name: string }).name);
}

export function isLeveledKey(key: string): key is LeveledKey {
  return (LEVELED_KEYS as readonly string[]).includes(key);
}

/** The leveled keys of a configuration, copied: what a new cluster starts with at Cluster level. */
export function leveledPart(config: Readonly<ApplianceConfig>): LevelSettings {
  const out: LevelSettings = {};
  for (const key of LEVELED_KEYS) (out as Record<string, unknown>)[key] = structuredClone(config[key]);
  return out;
}
