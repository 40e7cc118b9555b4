import { ErrorCodes, UserError } from '../../errors.js';
import { diffConfig, type ConfigChange } from './changes.js';
import type { ApplianceConfig } from './model.js';
import type { ConfigStore } from './store.js';
import { configProblems } from './check.js';
import { withFileLock } from '../lock.js';

export interface CommitRecord {
  comment: string;
  at: number;
  changes: ConfigChange[];
  /** the session that committed */
  by: string;
}

/**
 * Checks a configuration about to be committed against the running appliance, and applies what
 * must be applied before it is stored (the listener binds its new address). Throws a UserError
 * when the setting cannot take effect: the commit is then refused and nothing is stored.
 */
export type CommitGuard = (next: Readonly<ApplianceConfig>, previous: Readonly<ApplianceConfig>) => Promise<void>;

/**
 * The committed configuration, owned by the appliance: every session reads it and commits into
 * it. Each commit replaces the whole (frozen) object, so a session can keep the one it started
 * from as the base of a three-way merge. Without a running appliance the file is the truth:
 * `refresh` reads what another process committed.
 */
export class CommittedConfig {
  #current: Readonly<ApplianceConfig>;
  #revision = 0;
  readonly #listeners = new Set<(config: Readonly<ApplianceConfig>, record: CommitRecord) => void>();
  readonly #guards = new Set<CommitGuard>();
  #queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: ConfigStore,
    private readonly now: () => number,
  ) {
    this.#current = deepFreeze(store.load());
  }

  get current(): Readonly<ApplianceConfig> {
    return this.#current;
  }

  /** Counts commits made through this object. */
  get revision(): number {
    return this.#revision;
  }

  /** Reads config.json again (when no running appliance owns it, another process may have committed). */
  refresh(): void {
    this.#current = deepFreeze(this.store.load());
  }

  /**
   * Stores `next`, which `build` makes from the configuration current at that moment; commits are
   * serialised, so `build` sees every earlier commit. The guards run first: one that throws
   * refuses the commit and nothing is stored.
   */
  commit(build: (current: Readonly<ApplianceConfig>) => ApplianceConfig, comment: string, by: string): Promise<CommitRecord> {
    // processes sharing the home (one-shot runs without a running appliance) commit one at a
    // time, each on top of what the others committed: none writes over another's commit
    const run = this.#queue.then(() =>
      withFileLock(this.store.commitLock, async () => {
        if (this.store.changedOnDisk()) this.#current = deepFreeze(this.store.load());
        const previous = this.#current;
        const next = build(previous);
        const problems = configProblems(next);
        if (problems.length > 0) throw new UserError(`The changes cannot be committed: ${problems.join('; ')}.`, ErrorCodes.invalidValue);
        for (const guard of this.#guards) await guard(next, previous);
        this.store.save(next);
        this.#current = deepFreeze(next);
        this.#revision++;
        const record: CommitRecord = { comment, at: this.now(), changes: diffConfig(previous, next), by };
        for (const listener of this.#listeners) listener(this.#current, record);
        return record;
      }),
    );
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Told after every commit, with the new configuration. */
  onCommit(listener: (config: Readonly<ApplianceConfig>, record: CommitRecord) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Asked before every commit; see CommitGuard. */
  guard(guard: CommitGuard): () => void {
    this.#guards.add(guard);
    return () => this.#guards.delete(guard);
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
