import { LabClock, type Clock } from './clock.js';
import { ConfigSession } from './config/session.js';
import { ConfigStore } from './config/store.js';
import { ensureDir, homePaths, type HomePaths } from './home.js';
import type { LiveAppliance } from './live.js';
import { SetdStore } from '../setd/store.js';

export interface ApplianceOptions {
  home: string;
  clock?: Clock;
}

/**
 * One appliance: its home directory and its configuration. The live parts (listener, queues,
 * SETD emulator, control socket) attach to it when it runs; without them, configuration
 * commands edit the stored configuration directly.
 */
export class Appliance {
  readonly paths: HomePaths;
  readonly clock: Clock;
  readonly config: ConfigSession;
  /** the running engine, when this process runs the appliance */
  live: LiveAppliance | null = null;
  #setd: SetdStore | null = null;

  constructor(options: ApplianceOptions) {
    this.paths = homePaths(options.home);
    ensureDir(this.paths.root);
    this.clock = options.clock ?? new LabClock();
    this.config = new ConfigSession(new ConfigStore(this.paths), () => this.clock.now());
  }

  /**
   * The SETD emulator's store, one per appliance and on its clock: commands and the intake share
   * it, so a fault set by a command reaches the intake as an event. Made when first used.
   */
  get setd(): SetdStore {
    this.#setd ??= new SetdStore(this.paths.setd, this.clock);
    return this.#setd;
  }
}
