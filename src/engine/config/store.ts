import { readFileSync, existsSync } from 'node:fs';
import Conf from 'conf';
import { ErrorCodes, UserError } from '../../errors.js';
import { ensureDir, type HomePaths } from '../home.js';
import { defaultConfig, type ApplianceConfig } from './model.js';
import { configSchema } from './schema.js';
import { configProblems } from './validate.js';

/**
 * The committed configuration on disk (config.json in the home directory), read and written
 * through `conf` with a JSON schema. A corrupt or invalid file is never overwritten: loading it
 * fails with an error naming the file and the problem.
 */
export class ConfigStore {
  readonly #paths: HomePaths;
  #conf: Conf<ApplianceConfig> | undefined;

  constructor(paths: HomePaths) {
    this.#paths = paths;
  }

  get file(): string {
    return this.#paths.config;
  }

  load(): ApplianceConfig {
    const conf = this.#open();
    const config = structuredClone(conf.store) as ApplianceConfig;
    const problems = configProblems(config);
    if (problems.length > 0) {
      throw new UserError(`Configuration file ${this.file} is not valid: ${problems.join('; ')}.`, ErrorCodes.configInvalid);
    }
    return config;
  }

  save(config: ApplianceConfig): void {
    const problems = configProblems(config);
    if (problems.length > 0) throw new UserError(`Configuration not valid: ${problems.join('; ')}.`, ErrorCodes.configInvalid);
    this.#open().store = config;
  }

  #open(): Conf<ApplianceConfig> {
    if (this.#conf) return this.#conf;
    ensureDir(this.#paths.root);
    if (existsSync(this.file)) this.#checkParsable();
    try {
      this.#conf = new Conf<ApplianceConfig>({
        cwd: this.#paths.root,
        configName: 'config',
        projectName: 'segsim',
        schema: configSchema as never,
        defaults: defaultConfig(),
        clearInvalidConfig: false,
        watch: false,
      });
      void this.#conf.store; // validate now, not on first use
    } catch (error) {
      const detail = error instanceof Error ? error.message.replace(/^Config schema violation: /, '') : String(error);
      throw new UserError(`Configuration file ${this.file} is not valid: ${detail}.`, ErrorCodes.configInvalid);
    }
    return this.#conf;
  }

  #checkParsable(): void {
    try {
      JSON.parse(readFileSync(this.file, 'utf8'));
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      throw new UserError(`Configuration file ${this.file} is corrupt: ${detail}.`, ErrorCodes.configCorrupt);
    }
  }
}
