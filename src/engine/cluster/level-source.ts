import { isDeepStrictEqual } from 'node:util';
import type { CommittedConfig } from '../config/committed.js';
import type { ApplianceConfig } from '../config/model.js';
import type { ConfigSource } from '../config/session.js';
import type { Session } from '../sessions.js';
import { configAt, type ClusterDoc } from './cluster-state.js';
import type { ClusterNode } from './cluster-node.js';
import { LEVELED_KEYS, sameMode, type ClusterMode, type LeveledKey } from './levels.js';

/**
 * What one session's configuration commands read and commit on a clustered appliance: the
 * configuration as seen from the session's cluster mode, and commits that land at that level.
 * Standalone (or a session without a mode) it is the committed configuration itself.
 */
export class LevelSource implements ConfigSource {
  #cache: { doc: ClusterDoc; current: Readonly<ApplianceConfig>; mode: ClusterMode; view: Readonly<ApplianceConfig> } | null = null;
  /** keys this session took to its level without changing them (NOTICE: new or copied settings) */
  readonly #claims = new Set<LeveledKey>();

  constructor(
    private readonly cluster: ClusterNode,
    private readonly committed: CommittedConfig,
    private readonly session: Pick<Session, 'mode'>,
  ) {}

  get current(): Readonly<ApplianceConfig> {
    const doc = this.cluster.doc;
    const mode = this.session.mode;
    const current = this.committed.current;
    if (!doc || !mode) return current;
    // the same object while nothing changed: a session's edits fork from it and merge against it
    const c = this.#cache;
    if (c && c.doc === doc && c.current === current && sameMode(c.mode, mode)) return c.view;
    const view = configAt(doc, mode, current);
    this.#cache = { doc, current, mode, view };
    return view;
  }

  /** Makes the session's level hold these keys at the next commit, even unchanged. */
  claim(keys: readonly LeveledKey[]): void {
    for (const k of keys) this.#claims.add(k);
  }

  /**
   * The session's level takes these keys at once, with the values it sees now (those of the level
   * they are inherited from): what this machine runs on does not change, and nothing is pending.
   */
  async establish(keys: readonly LeveledKey[], by: string): Promise<void> {
    const mode = this.session.mode;
    if (!this.cluster.doc || !mode) return;
    await this.cluster.commitLevels(
      (doc, current) => {
        const view = configAt(doc, mode, current);
        return { doc: routeToLevel(doc, mode, view, view, new Set(keys), (v) => this.cluster.stamp(v, doc.self)), base: structuredClone(current) as ApplianceConfig };
      },
      `clustermode: settings copied to this level`,
      by,
    );
  }

  commit(build: (current: Readonly<ApplianceConfig>) => ApplianceConfig, comment: string, by: string) {
    const mode = this.session.mode;
    if (!this.cluster.doc || !mode) return this.committed.commit(build, comment, by);
    const claims = new Set(this.#claims);
    const record = this.cluster.commitLevels(
      (doc, current) => {
        const view = configAt(doc, mode, current);
        const next = build(view);
        return { doc: routeToLevel(doc, mode, view, next, claims, (v) => this.cluster.stamp(v, doc.self)), base: next };
      },
      comment,
      by,
    );
    return record.then((r) => {
      this.#claims.clear();
      return r;
    });
  }
}

/** The document with the changed (or claimed) leveled keys stored at `mode`'s level, that level's stamp advanced. */
export function routeToLevel(
  doc: ClusterDoc,
  mode: ClusterMode,
  view: Readonly<ApplianceConfig>,
  next: ApplianceConfig,
  claims: ReadonlySet<LeveledKey>,
  stamp: (version: number) => ClusterDoc['shared']['stamp'],
): ClusterDoc {
  const keys = LEVELED_KEYS.filter((k) => claims.has(k) || !isDeepStrictEqual(next[k], view[k]));
  if (keys.length === 0) return doc;
  const out = structuredClone(doc);
  let settings: Record<string, unknown>;
  if (mode.level === 'machine') {
    const section = (out.machines[mode.name] ??= { stamp: { version: 0, at: 0, by: doc.self }, settings: {} });
    section.stamp = stamp(section.stamp.version);
    settings = section.settings;
  } else {
    out.shared.stamp = stamp(out.shared.stamp.version);
    settings = mode.level === 'cluster' ? out.shared.cluster : (out.shared.groups_settings[mode.name] ??= {});
  }
  for (const k of keys) settings[k] = structuredClone(next[k]);
  return out;
}

const sources = new WeakMap<Pick<Session, 'mode'>, LevelSource>();

/** The level source of a session (made once per session). */
export function levelSourceOf(cluster: ClusterNode, committed: CommittedConfig, session: Pick<Session, 'mode'>): LevelSource {
  let source = sources.get(session);
  if (!source) sources.set(session, (source = new LevelSource(cluster, committed, session)));
  return source;
}
