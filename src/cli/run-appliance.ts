import type { CommandSpec } from '../commands/types.js';
import type { Appliance } from '../engine/appliance.js';
import { LabClock } from '../engine/clock.js';
import { HomeLock } from '../engine/lock.js';
import { lastEntryTime } from '../engine/log-search.js';
import { MailEngine } from '../engine/mail/mail-engine.js';
import { SetdEmulator } from '../setd/intake-server.js';
import { ASYNCOS_VERSION, SEGSIM_VERSION } from '../version.js';
import { serveControlSocket, type ControlServer } from './control-socket.js';
import { tuneGarbageCollection } from './gc-tuning.js';

/** A running appliance: its engine, and a stop that undoes everything start did. */
export interface RunningAppliance {
  engine: MailEngine;
  setd: SetdEmulator;
  /** what runs where, for the banner of a shell */
  describe(): string;
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
  // mail_logs never goes backwards: a clock behind the last line (a restart after a compressed lab) catches up
  const lastLogged = lastEntryTime(appliance.paths.logs);
  if (lastLogged !== null && appliance.clock instanceof LabClock) appliance.clock.advanceTo(lastLogged);
  const setd = new SetdEmulator(appliance.setd, appliance.paths.tls);
  // the lab's records: every regional intake domain points at the SETD emulator
  let labHosts = new Map<string, { host: string; port: number }>();
  const engine = new MailEngine(appliance, { labHosts: () => labHosts });
  const describe = () => describeAppliance(appliance, engine, setd);
  let control: ControlServer | null = null;
  try {
    const address = await setd.start({ port: appliance.configuration.current.lab.setdPort });
    labHosts = new Map(setd.intakeDomains().map((d) => [d, { host: '127.0.0.1', port: address.port }]));
    await engine.start();
    appliance.live = engine;
    control = await serveControlSocket(appliance, registry, () => `${describe()}\nAttached to the running appliance (pid ${process.pid}).`);
  } catch (error) {
    await engine.stop().catch(() => undefined);
    await setd.stop().catch(() => undefined);
    lock.release();
    throw error;
  }
  return {
    engine,
    setd,
    describe,
    async stop() {
      appliance.live = null;
      await control?.close();
      await engine.stop();
      await setd.stop();
      lock.release();
    },
  };
}

function describeAppliance(appliance: Appliance, engine: MailEngine, setd: SetdEmulator): string {
  const listener = engine.listenerAddress();
  const lab = engine.labMailServerAddress();
  const intake = setd.address();
  const config = appliance.configuration.current;
  return [
    `segsim ${SEGSIM_VERSION}: Cisco Secure Email Gateway emulator (AsyncOS ${ASYNCOS_VERSION})`,
    `Appliance ${config.hostname}, home ${appliance.paths.root}`,
    `  listener ${config.listener.name} on ${listener.host}:${listener.port}, lab mail server exchange.lab on ${lab.host}:${lab.port}`,
    `  SETD emulator (intake for ${setd.intakeDomains().length} regional domains) on ${intake.address}:${intake.port}`,
  ].join('\n');
}
