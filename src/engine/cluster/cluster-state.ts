import { existsSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { join } from 'node:path';
import { ErrorCodes, UserError } from '../../errors.js';
import type { ApplianceConfig } from '../config/model.js';
import { configProblems } from '../config/check.js';
import { jsonShape, shapeProblems, type JsonShape } from '../json-shape.js';
import { writeJsonAtomic } from '../atomic-file.js';
import { clusterDocSchema, replicatedClusterSchema } from './cluster-schema.js';
import { validateClusterDoc, validateReplicatedCluster } from './cluster-schema.generated.js';
import type { HomePaths } from '../home.js';
import { keepAside, readJsonFile, type ProblemReport } from '../state-file.js';
import { policiesV2 } from '../config/migrations.js';
import { LEVELED_KEYS, type ClusterMode, type LevelSettings } from './levels.js';

/**
 * When a section of the cluster's configuration was last changed. Sections are compared by
 * version, then time, then the member that made the change: the greater stamp wins (see mergeDocs).
 */
export interface Stamp {
  version: number;
  at: number;
  /** the member that made the change */
  by: string;
}

export interface ClusterMember {
  /** the machine's name in the cluster: its hostname when it joined */
  name: string;
  group: string;
  /** where its Cluster Communication Service listens (always loopback here) */
  host: string;
  port: number;
  /** detached by `clusterconfig disconnect` until `clusterconfig reconnect`: no copy goes to or comes from it */
  disconnected?: boolean;
}

/** What every member has the same copy of once they have synchronised. */
export interface SharedSection {
  stamp: Stamp;
  members: ClusterMember[];
  groups: string[];
  /** Cluster-level settings */
  cluster: LevelSettings;
  /** Group-level settings, by group name */
  groups_settings: Record<string, LevelSettings>;
}

/** One machine's Machine-level settings; replicated too, with a stamp of its own. */
export interface MachineSection {
  stamp: Stamp;
  settings: LevelSettings;
}

/** cluster.json: this appliance's membership and its copy of the cluster's levels. */
export interface ClusterDoc {
  name: string;
  /** the join secret (hex); members prove they know it, it never travels */
  secret: string;
  /** this machine's member name (not replicated) */
  self: string;
  shared: SharedSection;
  machines: Record<string, MachineSection>;
}

const REPLICATED = jsonShape<ReplicatedDoc>(replicatedClusterSchema, validateReplicatedCluster);
const DOC = jsonShape<ClusterDoc>(clusterDocSchema, validateClusterDoc);

/** A cluster.json written before per-policy inheritance: the policies at each level in today's words. */
function levelsInCurrentWords(doc: unknown): unknown {
  const d = doc as Partial<ClusterDoc> | null;
  const levels = [d?.shared?.cluster, ...Object.values(d?.shared?.groups_settings ?? {}), ...Object.values(d?.machines ?? {}).map((m) => m?.settings)];
  for (const level of levels) {
    if (level === null || typeof level !== 'object') continue;
    const l = level as Record<string, unknown>;
    for (const key of ['incomingPolicies', 'outgoingPolicies']) if (key in l) l[key] = policiesV2(l[key]);
  }
  return doc;
}

/** The replicated part of a document, as it travels between members. */
export type ReplicatedDoc = Omit<ClusterDoc, 'secret' | 'self'>;

/** The problems of a replicated document (from a file or a peer): its shape, and every level's settings. */
export function docProblems(doc: unknown, shape: JsonShape<ReplicatedDoc | ClusterDoc> = REPLICATED): string[] {
  const problems = shapeProblems(doc, shape, { root: 'cluster.json' }).map((p) => p.text);
  if (problems.length > 0) return problems;
  const d = doc as ReplicatedDoc;
  if (!d.shared.members.every((m) => d.shared.groups.includes(m.group))) problems.push('a member is in a group the cluster does not have');
  return problems;
}

/**
 * The cluster file of one home. Written durably (before a commit is acknowledged); read and
 * checked at every use; a bad file is kept aside and the appliance is then standalone, which the
 * report says.
 */
export class ClusterStore {
  readonly file: string;

  constructor(
    paths: HomePaths,
    private readonly now: () => number,
    private readonly report: ProblemReport = () => undefined,
  ) {
    this.file = join(paths.root, 'cluster.json');
  }

  /** The cluster this appliance is in, or null when it is standalone. */
  load(): ClusterDoc | null {
    const read = readJsonFile<ClusterDoc>(this.file, DOC, 'cluster.json', levelsInCurrentWords);
    if (read.state === 'missing') return null;
    const problems = read.state === 'bad' ? [read.problem] : docProblems(read.value, DOC);
    if (read.state === 'ok' && problems.length === 0) return read.value;
    const aside = keepAside(this.file, this.now());
    this.report(`The cluster file ${this.file} is not valid (${problems.join('; ')}); it was kept aside as ${aside} and this appliance is now standalone.`);
    return null;
  }

  save(doc: ClusterDoc): void {
    const problems = docProblems(doc, DOC);
    if (problems.length > 0) throw new UserError(`Cluster configuration not valid: ${problems.join('; ')}.`, ErrorCodes.configInvalid);
    writeJsonAtomic(this.file, doc, { mode: 0o600 });
  }

  /** Leaves the cluster: the file is kept aside (an operator may want it), the effective configuration stays. */
  remove(): string | null {
    return existsSync(this.file) ? keepAside(this.file, this.now()) : null;
  }
}

/** Orders stamps: version, then time, then member name. */
export function compareStamps(a: Stamp, b: Stamp): number {
  return a.version - b.version || a.at - b.at || (a.by < b.by ? -1 : a.by > b.by ? 1 : 0);
}

const later = <T extends { stamp: Stamp }>(a: T, b: T): T => (compareStamps(b.stamp, a.stamp) > 0 ? b : a);

/**
 * Merges another member's copy into ours. The conflict rule: each section (the shared section:
 * Cluster and Group levels and the membership; and each machine's Machine level) is taken whole
 * from the copy with the greater stamp. A change made on a disconnected member and a change made
 * meanwhile on the connected ones to the same section: the one with more commits since they
 * parted wins (then the later one); the other is overwritten, as AsyncOS overwrites a machine's
 * cluster settings when it rejoins. Machine sections of machines no longer members are dropped.
 */
export function mergeDocs(mine: ClusterDoc, theirs: ReplicatedDoc): ClusterDoc {
  const shared = structuredClone(later(mine.shared, theirs.shared));
  const machines: Record<string, MachineSection> = {};
  for (const m of shared.members) {
    const a = mine.machines[m.name];
    const b = theirs.machines[m.name];
    const pick = a && b ? later(a, b) : (a ?? b);
    if (pick) machines[m.name] = structuredClone(pick);
  }
  return { ...mine, shared, machines };
}

/** The part that travels to other members (never the secret). */
export function replicated(doc: ClusterDoc): ReplicatedDoc {
  return { name: doc.name, shared: doc.shared, machines: doc.machines };
}

export function memberOf(doc: ClusterDoc, name: string): ClusterMember | undefined {
  return doc.shared.members.find((m) => m.name === name);
}

/** The settings a level holds (an empty object when it holds none). */
export function levelSettings(doc: ClusterDoc, mode: ClusterMode): LevelSettings {
  if (mode.level === 'cluster') return doc.shared.cluster;
  if (mode.level === 'group') return doc.shared.groups_settings[mode.name] ?? {};
  return doc.machines[mode.name]?.settings ?? {};
}

/** The levels a mode reads through, most specific first: Machine, its Group, Cluster. */
export function chainFrom(doc: ClusterDoc, mode: ClusterMode): ClusterMode[] {
  const cluster: ClusterMode = { level: 'cluster' };
  if (mode.level === 'cluster') return [cluster];
  if (mode.level === 'group') return [mode, cluster];
  const group = memberOf(doc, mode.name)?.group;
  return group ? [mode, { level: 'group', name: group }, cluster] : [mode, cluster];
}

/** The most specific level of `mode`'s chain that holds `key`, or null when none does. */
export function holderOf(doc: ClusterDoc, mode: ClusterMode, key: (typeof LEVELED_KEYS)[number]): ClusterMode | null {
  return chainFrom(doc, mode).find((m) => levelSettings(doc, m)[key] !== undefined) ?? null;
}

/**
 * The configuration as seen from a mode: each leveled key from the most specific level of the
 * mode's chain that holds it, the rest (hostname, listener, lab) from `base`, the machine's own.
 * For Machine mode of this machine that is what the engine runs on.
 */
export function configAt(doc: ClusterDoc, mode: ClusterMode, base: Readonly<ApplianceConfig>): ApplianceConfig {
  const out = structuredClone(base) as ApplianceConfig;
  for (const key of LEVELED_KEYS) {
    const holder = holderOf(doc, mode, key);
    if (holder) (out as unknown as Record<string, unknown>)[key] = structuredClone(levelSettings(doc, holder)[key]);
  }
  return out;
}

/** This machine's effective configuration. */
export function effectiveConfig(doc: ClusterDoc, base: Readonly<ApplianceConfig>): ApplianceConfig {
  return configAt(doc, { level: 'machine', name: doc.self }, base);
}

/** Whether the levels change what this machine runs on. */
export function changesEffective(doc: ClusterDoc, current: Readonly<ApplianceConfig>): boolean {
  return !isDeepStrictEqual(effectiveConfig(doc, current), current);
}

/** The problems of this machine's effective configuration under a document. */
export function effectiveProblems(doc: ClusterDoc, base: Readonly<ApplianceConfig>): string[] {
  return configProblems(effectiveConfig(doc, base));
}
