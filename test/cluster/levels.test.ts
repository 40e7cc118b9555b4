import { readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { clusterconfigCommand } from '../../src/commands/clusterconfig.js';
import { tdcconfigCommand } from '../../src/commands/tdcconfig.js';
import { Appliance } from '../../src/engine/appliance.js';
import { ClusterStore, mergeDocs, type ClusterDoc } from '../../src/engine/cluster/cluster-state.js';
import { TDC_QUEUE } from '../../src/engine/config/model.js';
import { homePaths } from '../../src/engine/home.js';
import { injectTraffic } from '../../src/lab/traffic.js';
import { waitFor } from '../helpers/engine.js';
import { consoleSession, runScripted } from '../helpers/scripted.js';
import { cleanUp, formCluster, restartMember, startMember, type Member } from './helpers.js';
import { setdStoreOf } from '../../src/setd/appliance-store.js';

/** Sets TDC with tdcconfig's flags in the console session of `m`, and commits. */
async function setTdc(m: Member, flags: Record<string, unknown>): Promise<void> {
  await runScripted(tdcconfigCommand, [], { appliance: m.appliance, flags });
  await consoleSession(m.appliance).config.commit('test');
}

describe('cluster levels', () => {
  let a: Member | undefined;
  let b: Member | undefined;
  afterEach(async () => {
    await cleanUp([a, b]);
    a = b = undefined;
  });

  it('a Cluster-level commit on one member reaches the running engine of the other at once; Machine level wins over it', async () => {
    a = await startMember('esa1.example.com');
    b = await startMember('esa2.example.com');
    await formCluster(a, b);
    const intake = setdStoreOf(b.appliance).createAccount({}).intakeAddress;
    const seenOnB: string[] = [];
    b.appliance.configuration.onCommit((_, record) => seenOnB.push(...record.changes.map((c) => c.path)));

    // a session of A starts in Cluster mode: its commit lands at Cluster level
    expect(consoleSession(a.appliance).mode).toEqual({ level: 'cluster' });
    await setTdc(a, { enable: true, intakeAddress: intake });
    expect(b.appliance.configuration.current.tdc).toEqual({ enabled: true, intakeAddress: intake });
    expect(seenOnB).toContain('tdc.enabled');
    expect(a.appliance.cluster.doc!.shared.cluster.tdc).toEqual({ enabled: true, intakeAddress: intake });
    // B's engine journals clean mail per the cluster's settings
    await injectTraffic(b.appliance.live!.listenerAddress(), { count: 2, to: ['example.com'] });
    await waitFor(() => b!.appliance.live!.hosts().find((h) => h.host === TDC_QUEUE)?.deliveredRecipients === 2, 15_000, 'journal copies on B');

    // B overrides TDC at Machine level; a later Cluster-level change does not reach B's TDC
    consoleSession(b.appliance).mode = { level: 'machine', name: 'esa2.example.com' };
    await setTdc(b, { disable: true });
    expect(b.appliance.configuration.current.tdc.enabled).toBe(false);
    expect(a.appliance.configuration.current.tdc.enabled).toBe(true);
    await setTdc(a, { intakeAddress: 'other@beta.cmd.cisco.com' });
    expect(a.appliance.configuration.current.tdc.intakeAddress).toBe('other@beta.cmd.cisco.com');
    expect(b.appliance.configuration.current.tdc).toEqual({ enabled: false, intakeAddress: intake });
    // and the Cluster level as B sees it has the change
    consoleSession(b.appliance).mode = { level: 'cluster' };
    expect(consoleSession(b.appliance).config.pending.tdc.intakeAddress).toBe('other@beta.cmd.cisco.com');
  });

  it('a member that was down is shown disconnected, and catches up when it comes back', async () => {
    a = await startMember('esa1.example.com');
    b = await startMember('esa2.example.com');
    await formCluster(a, b);
    await b.running.stop();
    await setTdc(a, { enable: true, intakeAddress: 'while-down@beta.cmd.cisco.com' });
    const { transcript } = await runScripted(clusterconfigCommand, [], { appliance: a.appliance, args: ['list'] });
    expect(transcript).toMatch(/Machine esa2\.example\.com \(127\.0\.0\.1 port \d+\) \(disconnected\)/);
    const status = await runScripted(clusterconfigCommand, [], { appliance: a.appliance, args: ['connstatus'] });
    expect(status.transcript).toMatch(/Machine esa2\.example\.com .*: Disconnected \(ECONNREFUSED\)/);
    // what B committed is on disk: its cluster file still names the old settings, and B catches up at start
    expect(new ClusterStore(homePaths(b.home), Date.now).load()!.shared.cluster.tdc!.enabled).toBe(false);
    b = await restartMember(b);
    expect(b.appliance.configuration.current.tdc).toEqual({ enabled: true, intakeAddress: 'while-down@beta.cmd.cisco.com' });
    await waitFor(() => a!.appliance.cluster.members().find((m) => m.name === 'esa2.example.com')?.connected === true, 10_000, 'A to see B again');
  });

  it('writes the levels before acknowledging a commit; a bad cluster file is kept aside and the appliance runs standalone', async () => {
    a = await startMember('esa1.example.com');
    b = await startMember('esa2.example.com');
    await formCluster(a, b);
    await setTdc(a, { enable: true, intakeAddress: 'x@beta.cmd.cisco.com' });
    // acknowledged means on disk, on both members
    for (const m of [a, b]) expect(JSON.parse(readFileSync(`${m.home}/cluster.json`, 'utf8')).shared.cluster.tdc.intakeAddress).toBe('x@beta.cmd.cisco.com');
    await a.running.stop();
    writeFileSync(`${a.home}/cluster.json`, '{"name": "torn');
    const again = new Appliance({ home: a.home });
    expect(again.cluster.doc).toBeNull();
    expect(again.cluster.problems[0]).toMatch(/cluster\.json is not valid \(not JSON.*\); it was kept aside as .*cluster\.json\.bad-/);
    expect(readdirSync(a.home).some((f) => f.startsWith('cluster.json.bad-'))).toBe(true);
    // the effective configuration it had stays
    expect(again.configuration.current.tdc.intakeAddress).toBe('x@beta.cmd.cisco.com');
  });

  it('a cluster.json written before per-policy inheritance opens with its policies in today\'s words: TDC "default" (the global settings) is Use Global Settings', async () => {
    a = await startMember('esa1.example.com');
    b = await startMember('esa2.example.com');
    await formCluster(a, b);
    await setTdc(a, { enable: true, intakeAddress: 'x@beta.cmd.cisco.com' });
    await a.running.stop();
    // as segsim 0.1 wrote it: the policies at Cluster level with the old words
    const file = `${a.home}/cluster.json`;
    const old = JSON.parse(readFileSync(file, 'utf8')) as ClusterDoc;
    const policies = a.appliance.configuration.current.incomingPolicies.map((p) => ({ ...p, antispam: 'default', tdc: { mode: 'default' } }));
    (old.shared.cluster as Record<string, unknown>).incomingPolicies = policies;
    writeFileSync(file, JSON.stringify(old));
    const again = new Appliance({ home: a.home });
    expect(again.cluster.problems).toEqual([]);
    expect(again.cluster.doc!.shared.cluster.incomingPolicies!.map((p) => [p.antispam, p.tdc.mode])).toEqual(policies.map(() => ['use-default', 'global']));
  });
});

describe('the conflict rule (mergeDocs)', () => {
  const doc = (version: number, at: number, by: string, address: string): ClusterDoc => ({
    name: 'C',
    secret: '0'.repeat(64),
    self: 'esa1',
    shared: {
      stamp: { version, at, by },
      members: [
        { name: 'esa1', group: 'Main_Group', host: '127.0.0.1', port: 1 },
        { name: 'esa2', group: 'Main_Group', host: '127.0.0.1', port: 2 },
      ],
      groups: ['Main_Group'],
      cluster: { tdc: { enabled: true, intakeAddress: address } },
      groups_settings: {},
    },
    machines: { esa1: { stamp: { version, at, by }, settings: { tdc: { enabled: false, intakeAddress: address } } } },
  });

  it('takes each section from the copy with more commits, then the later one; Machine sections on their own', () => {
    const mine = doc(5, 100, 'esa1', 'mine@x');
    expect(mergeDocs(mine, doc(6, 50, 'esa2', 'theirs@x')).shared.cluster.tdc!.intakeAddress).toBe('theirs@x');
    expect(mergeDocs(mine, doc(4, 500, 'esa2', 'theirs@x')).shared.cluster.tdc!.intakeAddress).toBe('mine@x');
    expect(mergeDocs(mine, doc(5, 101, 'esa2', 'theirs@x')).shared.cluster.tdc!.intakeAddress).toBe('theirs@x');
    const theirs = doc(9, 100, 'esa2', 'theirs@x');
    theirs.machines = {};
    // their copy wins the shared section but has no Machine section of esa1: esa1's own stays
    expect(mergeDocs(mine, theirs).machines.esa1!.settings.tdc!.intakeAddress).toBe('mine@x');
  });
});
