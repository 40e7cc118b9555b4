import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Appliance } from '../engine/appliance.js';
import { writeJsonAtomic } from '../engine/atomic-file.js';
import { bindProblem } from '../engine/bind-probe.js';
import { CCS_PORT, clusterNameProblem } from '../engine/cluster/levels.js';
import { labClusterPaths, SHARED_SETD_FILE, type LabClusterManifest } from '../engine/cluster/shared-setd.js';
import type { ApplianceConfig } from '../engine/config/model.js';
import { ensureDir } from '../engine/home.js';
import { ensureLabPki } from '../engine/tls.js';
import { ErrorCodes, UserError } from '../errors.js';

/*
 * `segsim lab cluster create DIR --machines N`: N appliances of one cluster, made ready for a
 * class. Each machine's home is DIR/esaI (hostname esaI.example.com) with ports of its own for
 * every service; they share one lab CA (DIR/tls) and one SETD emulator (store in DIR/setd), as
 * the gateways of a company journal to one SETD service. The first machine creates the cluster
 * and the others join it, with the clusterconfig operations.
 */

export const MACHINES = { min: 2, max: 8 } as const;
export const DEFAULT_CLUSTER_NAME = 'Hosted_Cluster';

/** The services of a machine, each with its own port, as the table shows them. */
export const SERVICES = ['listener', 'mailServer', 'web', 'ssh', 'api', 'cluster'] as const;
export type Service = (typeof SERVICES)[number];
export type MachinePorts = Record<Service, number>;

export const SERVICE_TITLES: Record<Service, string> = { listener: 'Listener', mailServer: 'Lab mail', web: 'Web (HTTPS)', ssh: 'SSH', api: 'API', cluster: 'Cluster' };

/** Each service's AsyncOS or segsim default; machine I tries default + 10 x I first (esa1: 2535, esa2: 2545, ...). */
const BASE: Record<Service | 'setd', number> = { listener: 2525, mailServer: 2526, web: 8443, ssh: 2022, api: 6443, cluster: CCS_PORT, setd: 2465 };

export interface LabClusterPlan {
  dir: string;
  name: string;
  machines: { home: string; hostname: string; ports: MachinePorts }[];
  setdPort: number;
}

export interface CreateLabCluster {
  dir: string;
  /** as given (`--machines`) */
  machines: number | string;
  name?: string;
  /** take every port from this range (FROM-TO) instead of the defaults' neighbourhoods */
  ports?: string;
}

/** Reads `--ports FROM-TO`. */
function portRange(text: string): { from: number; to: number } {
  const m = /^(\d{1,5})-(\d{1,5})$/.exec(text.trim());
  const [from, to] = m ? [Number(m[1]), Number(m[2])] : [NaN, NaN];
  if (!m || from < 1 || to > 65535 || from > to) throw new UserError(`Invalid --ports "${text}": give a range of ports such as 40000-40100.`, ErrorCodes.usage);
  return { from, to };
}

/**
 * Free ports for every service of every machine and the one SETD emulator: each tried by binding
 * it (none given twice). Without a range, near each service's default, else any free port the
 * system gives; with a range, in order from it, and refused when it runs out.
 */
async function allocatePorts(count: number, range: { from: number; to: number } | null): Promise<{ machines: MachinePorts[]; setd: number }> {
  const taken = new Set<number>();
  const free = async (port: number) => port > 0 && port <= 65535 && !taken.has(port) && (await bindProblem('127.0.0.1', port)) === null;
  let next = range?.from ?? 0;
  const pick = async (base: number, what: string): Promise<number> => {
    if (range) {
      for (; next <= range.to; next++) {
        if (await free(next)) {
          taken.add(next);
          return next++;
        }
      }
      const needed = count * SERVICES.length + 1;
      throw new UserError(`The ports ${range.from}-${range.to} are exhausted: no free port is left there for ${what} (${count} machines need ${needed} ports).`, ErrorCodes.unavailable);
    }
    for (let k = 0; k < 10; k++) {
      const port = base + k * 100;
      if (await free(port)) return (taken.add(port), port);
    }
    for (let tries = 0; tries < 20; tries++) {
      const port = await systemPort();
      if (await free(port)) return (taken.add(port), port);
    }
    throw new UserError(`No free port is left on 127.0.0.1 for ${what}.`, ErrorCodes.unavailable);
  };
  const machines: MachinePorts[] = [];
  for (let i = 1; i <= count; i++) {
    const ports = {} as MachinePorts;
    for (const s of SERVICES) ports[s] = await pick(BASE[s] + 10 * i, `esa${i}'s ${SERVICE_TITLES[s]}`);
    machines.push(ports);
  }
  return { machines, setd: await pick(BASE.setd + 10, 'the SETD emulator') };
}

async function systemPort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

/**
 * A machine's configuration with its ports: the listener, the lab servers and the web interface.
 * The member's SETD port is the cluster's (it runs none of its own: shared-setd.json).
 */
export function withPorts(config: ApplianceConfig, hostname: string, ports: MachinePorts, setdPort: number): ApplianceConfig {
  return {
    ...config,
    hostname,
    listener: { ...config.listener, port: ports.listener },
    lab: { ...config.lab, mailServerPort: ports.mailServer, webPort: ports.web, sshPort: ports.ssh, apiPort: ports.api, setdPort },
  };
}

/** Makes the lab cluster; on any failure nothing of it is left. */
export async function createLabCluster(options: CreateLabCluster): Promise<LabClusterPlan> {
  const given = String(options.machines);
  const count = /^\d+$/.test(given) ? Number(given) : NaN;
  if (!(count >= MACHINES.min && count <= MACHINES.max)) throw new UserError(`Invalid --machines "${given}": a lab cluster has ${MACHINES.min} to ${MACHINES.max} machines.`, ErrorCodes.usage);
  const name = options.name ?? DEFAULT_CLUSTER_NAME;
  const nameProblem = clusterNameProblem(name);
  if (nameProblem) throw new UserError(`Invalid cluster name "${name}": ${nameProblem}.`, ErrorCodes.invalidValue);
  const range = options.ports === undefined ? null : portRange(options.ports);
  const dir = resolve(options.dir);
  const existed = existsSync(dir);
  if (existed && readdirSync(dir).length > 0) throw new UserError(`${dir} exists and is not empty: give a new directory (or an empty one) for the lab cluster.`, ErrorCodes.conflict);
  const ports = await allocatePorts(count, range);
  const plan: LabClusterPlan = {
    dir,
    name,
    machines: ports.machines.map((p, i) => ({ home: `esa${i + 1}`, hostname: `esa${i + 1}.example.com`, ports: p })),
    setdPort: ports.setd,
  };
  const made: Appliance[] = [];
  try {
    ensureDir(dir);
    const parts = labClusterPaths(dir);
    // one lab CA (and one server certificate for 127.0.0.1) for every member and the SETD
    ensureLabPki(parts.tls, ['localhost', 'exchange.lab']);
    mkdirSync(parts.setdStore, { recursive: true, mode: 0o700 });
    for (const m of plan.machines) {
      const home = join(dir, m.home);
      const tls = ensureDir(join(home, 'tls'));
      for (const file of readdirSync(parts.tls)) copyFileSync(join(parts.tls, file), join(tls, file));
      writeJsonAtomic(join(home, SHARED_SETD_FILE), { lab: '..' }, { mode: 0o600 });
      const appliance = new Appliance({ home });
      made.push(appliance);
      await appliance.configuration.commit((c) => withPorts(structuredClone(c) as ApplianceConfig, m.hostname, m.ports, plan.setdPort), 'lab cluster create', 'lab cluster');
    }
    const [first, ...others] = made;
    const secret = await first!.cluster.create(name, plan.machines[0]!.ports.cluster);
    for (const [i, appliance] of others.entries()) {
      await appliance.cluster.join({ host: '127.0.0.1', port: plan.machines[0]!.ports.cluster }, secret, plan.machines[i + 1]!.ports.cluster);
    }
    const manifest: LabClusterManifest = { name, machines: plan.machines.map((m) => ({ home: m.home, hostname: m.hostname })), setd: { port: plan.setdPort } };
    writeJsonAtomic(parts.manifest, manifest, { mode: 0o600 });
  } catch (error) {
    for (const a of made) await a.cluster.stop().catch(() => undefined);
    made.length = 0;
    if (existed) for (const entry of readdirSync(dir)) rmSync(join(dir, entry), { recursive: true, force: true });
    else rmSync(dir, { recursive: true, force: true });
    throw error;
  } finally {
    for (const a of made) await a.cluster.stop().catch(() => undefined);
  }
  return plan;
}

/** The table `lab cluster create` prints: each machine's home and ports, the SETD and the CA. */
export function renderLabCluster(plan: LabClusterPlan): string {
  const header = ['Machine', 'Home', ...SERVICES.map((s) => SERVICE_TITLES[s])];
  const rows = plan.machines.map((m) => [m.hostname, join(plan.dir, m.home), ...SERVICES.map((s) => String(m.ports[s]))]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const parts = labClusterPaths(plan.dir);
  return [
    `Lab cluster ${plan.name} in ${plan.dir}: ${plan.machines.length} machines (${plan.machines[0]!.hostname} created the cluster, the others joined).`,
    '',
    line(header),
    ...rows.map(line),
    '',
    `SETD emulator (one for the cluster): 127.0.0.1:${plan.setdPort}, store ${parts.setdStore}`,
    `Lab CA (trusted by every machine): ${join(parts.tls, 'lab-ca.pem')}`,
    '',
    `Start it with "segsim lab cluster start ${plan.dir}"; then "segsim --home ${join(plan.dir, plan.machines[0]!.home)}" opens a shell on ${plan.machines[0]!.hostname}.`,
  ].join('\n');
}
