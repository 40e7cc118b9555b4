import { LabClock, type Clock } from './clock.js';
import { ConfigSession } from './config/session.js';
import { ConfigStore } from './config/store.js';
import { ensureDir, homePaths, type HomePaths } from './home.js';
import type { LiveAppliance } from './live.js';

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

  constructor(options: ApplianceOptions) {
    this.paths = homePaths(options.home);
    ensureDir(this.paths.root);
    this.clock = options.clock ?? new LabClock();
    this.config = new ConfigSession(new ConfigStore(this.paths), () => this.clock.now());
  }
}
