import { isDeepStrictEqual } from 'node:util';
import { ErrorCodes, UserError } from '../../errors.js';
import { applyChanges, conflicts, diffConfig, settingName, type ConfigChange } from './changes.js';
import type { CommitRecord, CommittedConfig } from './committed.js';
import type { ApplianceConfig } from './model.js';
import { configProblems } from './check.js';

/** Where a session's configuration comes from and goes: the committed configuration, or a cluster level of it. */
export type ConfigSource = Pick<CommittedConfig, 'current' | 'commit'>;

/**
 * One session's view of the configuration, as on AsyncOS where every CLI and web login has its
 * own uncommitted changes. Without changes the session reads the committed configuration as it
 * is now; its first edit forks a pending copy from it (the base). `commit` applies this session's
 * changes to whatever is committed by then: changes to other settings merge, and a setting that
 * another session changed since the base is refused by name, the pending changes kept.
 *
 * With changes, the session reads what is committed now plus its own changes (the merge a commit
 * would make), not the configuration of its first edit: when the merge holds no clash, the
 * session moves its base up to what is committed (rebase); a clash keeps the old base so that the
 * commit still refuses that setting by name.
 */
export class ConfigSession {
  #base: Readonly<ApplianceConfig> | null = null;
  #pending: ApplianceConfig | null = null;
  /** the last merged view that clashed, so that reads do not merge again until something moves */
  #merged: { current: Readonly<ApplianceConfig>; pending: ApplianceConfig; config: ApplianceConfig } | null = null;
  /** told after each commit of this session's changes (the session registry: system_logs' commit line) */
  onCommitted: ((record: CommitRecord) => void) | null = null;

  constructor(
    private readonly committedConfig: ConfigSource,
    /** who commits, for the commit record (`shell 3`, `one-shot 7`) */
    readonly owner: string,
  ) {}

  /** The configuration the appliance runs on now. */
  get committed(): Readonly<ApplianceConfig> {
    return this.committedConfig.current;
  }

  /** What configuration commands read: what is committed now, with this session's changes on top. */
  get pending(): Readonly<ApplianceConfig> {
    return this.#view().config;
  }

  /** Changes the pending copy; the mutation is validated before it is kept. */
  edit(mutate: (draft: ApplianceConfig) => void): void {
    const view = this.#view();
    const draft = structuredClone(view.config) as ApplianceConfig;
    mutate(draft);
    const problems = configProblems(draft);
    if (problems.length > 0) throw new UserError(`${problems.join('; ')}.`, ErrorCodes.invalidValue);
    // after a clash the draft holds others' commits too: only this edit joins the pending copy
    const next = view.clash ? applyChanges(this.#pending!, diffConfig(view.config, draft), draft) : draft;
    const base = this.#base ?? this.committedConfig.current;
    if (isDeepStrictEqual(next, base)) return void this.clear();
    this.#base = base;
    this.#pending = next;
  }

  /**
   * The configuration this session sees, rebased on what is committed now when that merges
   * cleanly; `clash` when it does not (the base is kept, the view is the merge, this session's
   * values winning, as they would be once the clash is resolved).
   */
  #view(): { config: Readonly<ApplianceConfig>; clash: boolean } {
    const current = this.committedConfig.current;
    const base = this.#base;
    const pending = this.#pending;
    if (!base || !pending) return { config: current, clash: false };
    if (current === base) return { config: pending, clash: false };
    if (this.#merged?.current === current && this.#merged.pending === pending) return { config: this.#merged.config, clash: true };
    const { config: merged, refusal } = mergeOnto(base, pending, current);
    if (refusal) {
      this.#merged = { current, pending, config: merged };
      return { config: merged, clash: true };
    }
    if (isDeepStrictEqual(merged, current)) {
      this.clear();
      return { config: current, clash: false };
    }
    this.#base = current;
    this.#pending = merged;
    return { config: merged, clash: false };
  }

  hasChanges(): boolean {
    this.#view();
    return this.#pending !== null;
  }

  /** This session's changes, against the configuration they were made on (rebased as `pending` is). */
  changes(): ConfigChange[] {
    this.#view();
    return this.#pending && this.#base ? diffConfig(this.#base, this.#pending) : [];
  }

  /**
   * The refusal `commit` would give now because another session committed a change to one of the
   * same settings since this session's first edit, or null: a dialog tells it before it asks
   * anything.
   */
  conflict(): UserError | null {
    return this.#base && this.#pending ? mergeOnto(this.#base, this.#pending, this.committedConfig.current).refusal : null;
  }

  /**
   * Commits this session's changes; null when there were none. Refused (UserError, pending kept)
   * when another session changed one of the same settings since this session's first edit, or
   * when the running appliance cannot apply a setting.
   */
  async commit(comment: string): Promise<CommitRecord | null> {
    const base = this.#base;
    const pending = this.#pending;
    if (!base || !pending) return null;
    const record = await this.committedConfig.commit(
      (current) => {
        if (current === base) return structuredClone(pending) as ApplianceConfig;
        const { config, refusal } = mergeOnto(base, pending, current);
        if (refusal) throw refusal;
        return config;
      },
      comment,
      this.owner,
    );
    // edits made while the commit waited its turn stay pending on top of the new configuration
    if (this.#pending === pending) this.clear();
    this.onCommitted?.(record);
    return record;
  }

  /** Discards pending changes; returns whether there were any. */
  clear(): boolean {
    const had = this.#pending !== null;
    this.#pending = null;
    this.#base = null;
    this.#merged = null;
    return had;
  }
}

/**
 * This session's changes (`base` to `pending`) applied to what is committed now, and the refusal a
 * commit would give when another session changed one of the same settings since `base` (null when
 * none): what the session reads, what `conflict` tells first and what `commit` applies.
 */
function mergeOnto(base: Readonly<ApplianceConfig>, pending: ApplianceConfig, current: Readonly<ApplianceConfig>): { config: ApplianceConfig; refusal: UserError | null } {
  if (current === base) return { config: pending, refusal: null };
  const mine = diffConfig(base, pending);
  const config = applyChanges(current, mine, pending);
  const clashes = conflicts(mine, diffConfig(base, current), pending, current);
  if (clashes.length === 0) return { config, refusal: null };
  const names = [...new Set(clashes.map((c) => settingName(c.segments)))];
  const refusal = new UserError(
    `Another session committed a change to ${names.join('; ')} after this session changed it. Nothing was committed, and this session's changes are still pending: review them, abandon them (clear), or abandon them, edit again and commit.`,
    ErrorCodes.conflict,
  );
  return { config, refusal };
}
