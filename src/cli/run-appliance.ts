import type { Server } from 'node:net';
import type { CommandSpec } from '../commands/types.js';
import type { Appliance } from '../engine/appliance.js';
import { HomeLock } from '../engine/lock.js';
import { MailEngine } from '../engine/mail/mail-engine.js';
import { SetdEmulator } from '../setd/intake-server.js';
import { serveControlSocket } from './control-socket.js';
import { tuneGarbageCollection } from './gc-tuning.js';

/** A running appliance: its engine, and a stop that undoes everything start did. */
export interface RunningAppliance {
  engine: MailEngine;
  setd: SetdEmulator;
  stop(): Promise<void>;
}

/**
 * Starts the appliance in this process: takes the home directory's lock, starts the SETD
 * emulator and the mail engine (listener, queues, lab mail server) and serves the control socket.
 */
export async function startAppliance(appliance: Appliance, registry: readonly CommandSpec[]): Promise<RunningAppliance> {
  const lock = new HomeLock(appliance.paths.lock);
  lock.acquire();
  tuneGarbageCollection();
  const setd = new SetdEmulator(appliance.setd, appliance.paths.tls);
  // the lab's records: every regional intake domain points at the SETD emulator
  let labHosts = new Map<string, { host: string; port: number }>();
  const engine = new MailEngine(appliance, { labHosts: () => labHosts });
  let control: Server | null = null;
  try {
    const address = await setd.start({ port: appliance.config.committed.lab.setdPort });
    labHosts = new Map(setd.intakeDomains().map((d) => [d, { host: '127.0.0.1', port: address.port }]));
    await engine.start();
    appliance.live = engine;
    control = await serveControlSocket(appliance, registry);
  } catch (error) {
    await engine.stop().catch(() => undefined);
    await setd.stop().catch(() => undefined);
    lock.release();
    throw error;
  }
  return {
    engine,
    setd,
    async stop() {
      appliance.live = null;
      await new Promise<void>((resolve) => (control ? control.close(() => resolve()) : resolve()));
      await engine.stop();
      await setd.stop();
      lock.release();
    },
  };
}
