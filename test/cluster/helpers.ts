import { rmSync } from 'node:fs';
import { clusterconfigCommand } from '../../src/commands/clusterconfig.js';
import { commandRegistry } from '../../src/commands/registry.js';
import { startAppliance, type RunningAppliance } from '../../src/cli/run-appliance.js';
import { Appliance } from '../../src/engine/appliance.js';
import { labHome, runScripted } from '../helpers/scripted.js';

/** A lab appliance on free ports, running in this process, with its own home. */
export interface Member {
  home: string;
  appliance: Appliance;
  running: RunningAppliance;
}

export async function startMember(hostname: string, home = labHome((c) => void (c.hostname = hostname))): Promise<Member> {
  const appliance = new Appliance({ home });
  const running = await startAppliance(appliance, commandRegistry());
  return { home, appliance, running };
}

/** Starts the appliance of a home again (after a stop), as a new process would. */
export async function restartMember(member: Member): Promise<Member> {
  return startMember('', member.home);
}

/** Creates Hosted_Cluster on `a` (CCS on a free port) and joins `b` to it; returns the join secret. */
export async function formCluster(a: Member, b: Member): Promise<string> {
  const { transcript } = await runScripted(clusterconfigCommand, [], { appliance: a.appliance, args: ['create'], flags: { name: 'Hosted_Cluster', port: 0 } });
  const secret = /--secret ([0-9a-f]{64})/.exec(transcript)![1]!;
  await runScripted(clusterconfigCommand, [], { appliance: b.appliance, args: ['join'], flags: { address: `127.0.0.1:${a.appliance.cluster.port}`, secret, port: 0 } });
  return secret;
}

/** Stops what is still running and removes the homes. */
export async function cleanUp(members: (Member | undefined)[]): Promise<void> {
  for (const m of members) {
    if (!m) continue;
    await m.running.stop().catch(() => undefined);
    rmSync(m.home, { recursive: true, force: true });
  }
}
