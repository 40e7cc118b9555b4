import { existsSync, readFileSync, statSync } from 'node:fs';
import { createJsonAtomic, writeJsonAtomic } from '../atomic-file.js';
import { ErrorCodes, UserError } from '../../errors.js';
import { ensureDir, type HomePaths } from '../home.js';
import { defaultConfig, type ApplianceConfig } from './model.js';
import { configProblems } from './check.js';
import { CONFIG_VERSION, migrateConfig } from './migrations.js';

/**
 * The committed configuration on disk (config.json in the home directory), checked against the
 * JSON schema and the semantic rules. A fresh home gets the default lab configuration. A corrupt
 * or invalid file is never overwritten: loading it fails with an error naming the file and the
 * problem. Writes are atomic (temporary file, sync, rename).
 *
 * The file carries the version of its shape (migrations.ts): a file of an older version is
 * migrated in memory at each load and written in the current version by the next commit, so
 * that reading a home never writes it (one-shot commands, a second process, an older segsim
 * still opening it until then); a file of a newer version is refused.
 */
export class ConfigStore {
  /** config.json as this store last read or wrote it (each write is a new file: a new inode) */
  #seen: string | null = null;

  constructor(private readonly paths: HomePaths) {}

  get file(): string {
    return this.paths.config;
  }

  /** The lock a commit holds: processes sharing the home commit one at a time (CommittedConfig). */
  get commitLock(): string {
    return `${this.paths.config}.lock`;
  }

  /** Whether config.json is no longer what this store last read or wrote: another process committed. */
  changedOnDisk(): boolean {
    return this.#signature() !== this.#seen;
  }

  #signature(): string | null {
    try {
      const stat = statSync(this.file);
      return `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
    } catch {
      return null;
    }
  }

  load(): ApplianceConfig {
    ensureDir(this.paths.root);
    // of processes opening a fresh home at once, one writes the default; the others read it, so
    // that none writes the default over what another already committed
    if (!existsSync(this.file)) {
      const fresh = defaultConfig();
      if (createJsonAtomic(this.file, { version: CONFIG_VERSION, ...fresh }, { mode: 0o600 })) {
        this.#seen = this.#signature();
        return fresh;
      }
    }
    let config: unknown;
    try {
      this.#seen = this.#signature();
      config = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      throw new UserError(`Configuration file ${this.file} is corrupt: ${detail}.`, ErrorCodes.configCorrupt);
    }
    config = migrateConfig(config, this.file);
    const problems = configProblems(config);
    if (problems.length > 0) throw new UserError(`Configuration file ${this.file} is not valid: ${problems.join('; ')}.`, ErrorCodes.configInvalid);
    return config as ApplianceConfig;
  }

  save(config: ApplianceConfig): void {
    const problems = configProblems(config);
    if (problems.length > 0) throw new UserError(`Configuration not valid: ${problems.join('; ')}.`, ErrorCodes.configInvalid);
    this.#write(config);
  }

  #write(config: ApplianceConfig): void {
    writeJsonAtomic(this.file, { version: CONFIG_VERSION, ...config }, { mode: 0o600 });
    this.#seen = this.#signature();
  }
}
