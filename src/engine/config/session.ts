import { isDeepStrictEqual } from 'node:util';
import { ErrorCodes, UserError } from '../../errors.js';
import type { ApplianceConfig } from './model.js';
import type { ConfigStore } from './store.js';
import { configProblems } from './validate.js';

export interface ConfigChange {
  /** dotted path of the changed setting, e.g. tdc.enabled */
  path: string;
  before: unknown;
  after: unknown;
}

export interface CommitRecord {
  comment: string;
  at: number;
  changes: ConfigChange[];
}

/**
 * The AsyncOS commit model: configuration commands edit a pending copy; `commit` validates and
 * stores it and tells the listeners (the running engine) at once; `clear` discards it. Nothing
 * pending is persisted.
 */
export class ConfigSession {
  #committed: ApplianceConfig;
  #pending: ApplianceConfig;
  readonly #listeners = new Set<(config: ApplianceConfig) => void>();

  constructor(
    private readonly store: ConfigStore,
    private readonly now: () => number = Date.now,
  ) {
    this.#committed = store.load();
    this.#pending = structuredClone(this.#committed);
  }

  /** The configuration the engine runs on. */
  get committed(): Readonly<ApplianceConfig> {
    return this.#committed;
  }

  /** The copy that configuration commands read and change. */
  get pending(): ApplianceConfig {
    return this.#pending;
  }

  /** Changes the pending copy; the mutation is validated before it is kept. */
  edit(mutate: (draft: ApplianceConfig) => void): void {
    const draft = structuredClone(this.#pending);
    mutate(draft);
    const problems = configProblems(draft);
    if (problems.length > 0) throw new UserError(`${problems.join('; ')}.`, ErrorCodes.invalidValue);
    this.#pending = draft;
  }

  hasChanges(): boolean {
    return !isDeepStrictEqual(this.#pending, this.#committed);
  }

  changes(): ConfigChange[] {
    return diff(this.#committed, this.#pending, '');
  }

  /** Stores the pending copy; returns null when there was nothing to commit. */
  commit(comment: string): CommitRecord | null {
    if (!this.hasChanges()) return null;
    const changes = this.changes();
    this.store.save(this.#pending);
    this.#committed = structuredClone(this.#pending);
    for (const listener of this.#listeners) listener(this.#committed);
    return { comment, at: this.now(), changes };
  }

  /** Discards pending changes; returns whether there were any. */
  clear(): boolean {
    const had = this.hasChanges();
    this.#pending = structuredClone(this.#committed);
    return had;
  }

  /** Re-reads the stored configuration (another process committed). Pending changes are kept. */
  reload(): void {
    const hadChanges = this.hasChanges();
    this.#committed = this.store.load();
    if (!hadChanges) this.#pending = structuredClone(this.#committed);
    for (const listener of this.#listeners) listener(this.#committed);
  }

  onCommit(listener: (config: ApplianceConfig) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

function diff(before: unknown, after: unknown, path: string): ConfigChange[] {
  if (isDeepStrictEqual(before, after)) return [];
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObject(before) && isObject(after)) {
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    return [...keys].flatMap((k) => diff(before[k], after[k], path ? `${path}.${k}` : k));
  }
  return [{ path, before, after }];
}
