import type { Server } from 'node:net';
import type { CommandSpec } from '../commands/types.js';
import type { Appliance } from '../engine/appliance.js';
import { HomeLock } from '../engine/lock.js';
import { MailEngine } from '../engine/mail/mail-engine.js';
import { serveControlSocket } from './control-socket.js';

/** A running appliance: its engine, and a stop that undoes everything start did. */
export interface RunningAppliance {
  engine: MailEngine;
  stop(): Promise<void>;
}

/**
 * Starts the appliance in this process: takes the home directory's lock, starts the mail engine
 * (listener, queues, lab mail server) and serves the control socket for other terminals.
 */
export async function startAppliance(appliance: Appliance, registry: readonly CommandSpec[]): Promise<RunningAppliance> {
  const lock = new HomeLock(appliance.paths.lock);
  lock.acquire();
  const engine = new MailEngine(appliance);
  let control: Server | null = null;
  try {
    await engine.start();
    appliance.live = engine;
    control = await serveControlSocket(appliance, registry);
  } catch (error) {
    await engine.stop().catch(() => undefined);
    lock.release();
    throw error;
  }
  return {
    engine,
    async stop() {
      appliance.live = null;
      await new Promise<void>((resolve) => (control ? control.close(() => resolve()) : resolve()));
      await engine.stop();
      lock.release();
    },
  };
}
