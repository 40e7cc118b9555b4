import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CommandSpec } from '../commands/types.js';
import { Appliance } from '../engine/appliance.js';
import { LabClock } from '../engine/clock.js';
import { readLabCluster, sharedSetdOf } from '../engine/cluster/shared-setd.js';
import { homePaths } from '../engine/home.js';
import { runningOwner } from '../engine/lock.js';
import { ErrorCodes, UserError } from '../errors.js';
import { sharedSetdStore } from '../setd/appliance-store.js';
import { SetdEmulator } from '../setd/intake-server.js';
import { startAppliance, type RunningAppliance } from './run-appliance.js';

/** A lab cluster running in this process: its SETD emulator and every machine. */
export interface RunningLabCluster {
  describe(): string;
  machines: { hostname: string; appliance: Appliance; running: RunningAppliance }[];
  stop(): Promise<void>;
}

/**
 * Checks every machine's home before anything starts: a home missing, without a configuration,
 * not pointing at this lab's SETD, or already running is named.
 */
function checkedMachines(dir: string): { home: string; hostname: string; appliance: Appliance }[] {
  const manifest = readLabCluster(dir);
  if (manifest.machines.length === 0) throw new UserError(`The lab cluster ${dir} lists no machines to start.`, ErrorCodes.notFound);
  return manifest.machines.map((m) => {
    const home = join(dir, m.home);
    const where = `Machine ${m.hostname} (${home})`;
    if (!existsSync(home) || !statSync(home).isDirectory()) throw new UserError(`${where}: its home is missing.`, ErrorCodes.notFound);
    if (!existsSync(homePaths(home).config)) throw new UserError(`${where}: its home has no config.json.`, ErrorCodes.notFound);
    const shared = sharedSetdOf(homePaths(home));
    if (!shared || resolve(shared.lab) !== resolve(dir))
      throw new UserError(`${where}: its home does not journal to this lab cluster's SETD emulator (no shared-setd.json naming ${dir}).`, ErrorCodes.conflict);
    const pid = runningOwner(homePaths(home).lock);
    if (pid !== null) throw new UserError(`${where} is already running (pid ${pid}).`, ErrorCodes.applianceRunning);
    try {
      // its configuration is read (and checked) here
      return { home, hostname: m.hostname, appliance: new Appliance({ home }) };
    } catch (error) {
      throw error instanceof UserError ? new UserError(`${where} did not start: ${error.message}`, error.code) : error;
    }
  });
}

/**
 * `segsim lab cluster start DIR`: the lab cluster's one SETD emulator, then every machine, in this
 * process; each machine has its own spool, logs, sessions and control socket (so `segsim --home
 * DIR/esa2` attaches to it). If one cannot start, the ones started are stopped and why is said.
 */
export async function startLabCluster(dirGiven: string, registry: readonly CommandSpec[], stopRequested?: () => void): Promise<RunningLabCluster> {
  const dir = resolve(dirGiven);
  const machines = checkedMachines(dir);
  const link = sharedSetdOf({ root: machines[0]!.home })!;
  const setd = new SetdEmulator(sharedSetdStore(link.store, new LabClock()), link.tls);
  const started: RunningLabCluster['machines'] = [];
  const stop = async () => {
    for (const m of started.reverse()) await m.running.stop().catch(() => undefined);
    started.length = 0;
    await setd.stop().catch(() => undefined);
  };
  try {
    try {
      await setd.start({ port: link.port });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new UserError(`The SETD emulator of the lab cluster cannot listen on 127.0.0.1:${link.port} (${code}).`, ErrorCodes.unavailable);
    }
    for (const { hostname, home, appliance } of machines) {
      try {
        started.push({ hostname, appliance, running: await startAppliance(appliance, registry, { stopRequested }) });
      } catch (error) {
        throw error instanceof UserError ? new UserError(`Machine ${hostname} (${home}) did not start: ${error.message}`, error.code) : error;
      }
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    machines: started,
    describe: () =>
      [`Lab cluster ${dir}: SETD emulator (one for every machine) on 127.0.0.1:${setd.address().port}, store ${link.store}`, ...started.map((m) => `\n${m.running.describe()}`)].join('\n'),
    stop,
  };
}

/**
 * `segsim lab cluster create DIR --machines N [--name NAME] [--ports FROM-TO]` and `segsim lab
 * cluster start DIR`, run by the program itself (never on a running appliance: they make and run
 * appliances of their own). Start runs until SIGINT or SIGTERM (or `segsim --home DIR/esaI stop`).
 */
export async function runLabCluster(args: string[], flags: Record<string, unknown>, registry: readonly CommandSpec[], out: NodeJS.WritableStream): Promise<number> {
  const [, action, dir] = args;
  if (!dir) throw new UserError('lab cluster needs an action and a directory: "lab cluster create DIR --machines N" or "lab cluster start DIR".', ErrorCodes.usage);
  switch ((action ?? '').toLowerCase()) {
    case 'create': {
      const { createLabCluster, renderLabCluster } = await import('../lab/cluster-lab.js');
      if (flags.machines === undefined) throw new UserError('lab cluster create needs --machines N (2 to 8).', ErrorCodes.usage);
      const plan = await createLabCluster({ dir, machines: String(flags.machines), name: flags.name as string | undefined, ports: flags.ports as string | undefined });
      out.write(`${renderLabCluster(plan)}\n`);
      return 0;
    }
    case 'start': {
      let stop = () => undefined as void;
      const stopped = new Promise<void>((r) => (stop = r));
      const running = await startLabCluster(dir, registry, () => stop());
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      out.write(`${running.describe()}\n\nRunning the lab cluster (pid ${process.pid}). Stop it with Ctrl-C.\n`);
      await stopped;
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      await running.stop();
      out.write('Lab cluster stopped.\n');
      return 0;
    }
    default:
      throw new UserError(`Unknown lab cluster action "${action}": use create or start.`, ErrorCodes.usage);
  }
}
