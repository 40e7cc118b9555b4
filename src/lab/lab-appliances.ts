import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Appliance } from '../engine/appliance.js';
import { writeJsonAtomic } from '../engine/atomic-file.js';
import { LabClock } from '../engine/clock.js';
import { LAB_CLUSTER_FILE, SHARED_SETD_FILE } from '../engine/cluster/shared-setd.js';
import { ensureDir } from '../engine/home.js';
import type { CommandRunner, LabMember } from './runner.js';
import type { ClusterLab } from './scenario.js';

/** Starts an appliance in this process (the CommandHost's startAppliance). */
export type StartAppliance = (appliance: Appliance) => Promise<{ stop(): Promise<void>; readonly setd: { address(): { port: number } } | null }>;

/** An appliance of `lab run`: a fresh home of its own, removed when it stops. */
export interface LabAppliance {
  appliance: Appliance;
  /** where its embedded SETD emulator listens (null: it journals to a cluster's) */
  setdPort(): number | null;
  stop(): Promise<void>;
}

/**
 * A fresh appliance for `lab run`, started: a temporary home, a lab clock, free ports for the
 * listener, the lab mail server, the SETD emulator and the web interface (labs run side by side).
 */
export async function startFreshAppliance(label: string, start: StartAppliance, hostname?: string, prepare: (home: string) => void = () => undefined): Promise<LabAppliance> {
  const home = mkdtempSync(join(tmpdir(), `segsim-lab-${label}-`));
  try {
    prepare(home);
    const appliance = new Appliance({ home, clock: new LabClock() });
    await appliance.configuration.commit(
      (c) => ({ ...c, hostname: hostname ?? c.hostname, listener: { ...c.listener, port: 0 }, lab: { mailServerPort: 0, setdPort: 0, webPort: 0, sshPort: 0, apiPort: 0 } }),
      `lab run ${label}`,
      'lab run',
    );
    const running = await start(appliance);
    return {
      appliance,
      setdPort: () => running.setd?.address().port ?? null,
      async stop() {
        try {
          await running.stop();
        } finally {
          rmSync(home, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    rmSync(home, { recursive: true, force: true });
    throw error;
  }
}

/**
 * The further machines of a cluster lab, each a fresh appliance, and the cluster: the first
 * machine (the lab's own appliance, which takes the first hostname) creates it on a free Cluster
 * Communication Service port, and the others join it with its join secret. Every machine journals
 * to the first one's SETD emulator, trusting its lab CA, as `lab cluster create` makes them: its
 * home is the lab cluster's directory (lab-cluster.json names its SETD's port).
 */
export async function startLabCluster(
  own: LabAppliance,
  cluster: ClusterLab,
  label: string,
  start: StartAppliance,
  runOn: (appliance: Appliance) => CommandRunner,
): Promise<{ members: LabMember[]; stop(): Promise<void> }> {
  const started: { hostname: string; lab: LabAppliance }[] = [];
  const stop = async () => {
    for (const s of started) await s.lab.stop().catch(() => undefined);
  };
  const first = own.appliance;
  try {
    const [firstMachine, ...others] = cluster.machines;
    await first.configuration.commit((c) => ({ ...c, hostname: firstMachine!.hostname }), `lab run ${label}: hostname`, 'lab run');
    const manifest = { name: cluster.name, machines: [], setd: { port: own.setdPort()! } };
    writeJsonAtomic(join(first.paths.root, LAB_CLUSTER_FILE), manifest);
    const member = (home: string) => {
      writeJsonAtomic(join(home, SHARED_SETD_FILE), { lab: first.paths.root });
      const tls = ensureDir(join(home, 'tls'));
      for (const file of readdirSync(first.paths.tls).filter((f) => f.endsWith('.pem') || f.endsWith('.key'))) copyFileSync(join(first.paths.tls, file), join(tls, file));
    };
    for (const m of others) started.push({ hostname: m.hostname, lab: await startFreshAppliance(`${label}-${m.hostname}`, start, m.hostname, member) });
    const secret = await first.cluster.create(cluster.name, 0);
    for (const s of started) await s.lab.appliance.cluster.join({ host: '127.0.0.1', port: first.cluster.port! }, secret, 0);
  } catch (error) {
    await stop();
    throw error;
  }
  return { members: started.map((s) => ({ hostname: s.hostname, appliance: s.lab.appliance, run: runOn(s.lab.appliance) })), stop };
}
