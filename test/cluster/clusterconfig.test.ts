import { clusterconfigCommand } from '../../src/commands/clusterconfig.js';
import { PassThrough } from 'node:stream';
import { runOneShot } from '../../src/cli/one-shot.js';
import { commandRegistry } from '../../src/commands/registry.js';
import { ClusterStore } from '../../src/engine/cluster/cluster-state.js';
import { askPeer } from '../../src/engine/cluster/peer-protocol.js';
import { homePaths } from '../../src/engine/home.js';
import { commitEdit, runScripted } from '../helpers/scripted.js';
import { cleanUp, formCluster, startMember, type Member } from './helpers.js';

describe('clusterconfig', () => {
  let a: Member | undefined;
  let b: Member | undefined;
  afterEach(async () => {
    await cleanUp([a, b]);
    a = b = undefined;
  });

  it('creates a cluster, joins a second appliance over loopback, lists both and removes one', async () => {
    a = await startMember('esa1.example.com');
    b = await startMember('esa2.example.com');
    // what the cluster starts with is the creating machine's configuration
    await commitEdit(a.appliance, (c) => void (c.tdc = { enabled: true, intakeAddress: 'cluster@beta.cmd.cisco.com' }));
    await formCluster(a, b);
    expect(b.appliance.configuration.current.tdc).toEqual({ enabled: true, intakeAddress: 'cluster@beta.cmd.cisco.com' });
    // the joining machine keeps its own name and listener
    expect(b.appliance.configuration.current.hostname).toBe('esa2.example.com');
    for (const m of [a, b]) {
      const { transcript } = await runScripted(clusterconfigCommand, [], { appliance: m.appliance, args: ['list'] });
      expect(transcript).toContain('Cluster Hosted_Cluster\nGroup Main_Group:\n');
      expect(transcript).toMatch(/Machine esa1\.example\.com \(127\.0\.0\.1 port \d+\)/);
      expect(transcript).toMatch(/Machine esa2\.example\.com \(127\.0\.0\.1 port \d+\)/);
      expect(transcript).not.toContain('disconnected');
    }
    const status = await runScripted(clusterconfigCommand, [], { appliance: a.appliance, args: ['connstatus'] });
    expect(status.transcript).toMatch(/Machine esa2\.example\.com \(127\.0\.0\.1 port \d+\): Connected/);
    expect(a.running.describe()).toMatch(/cluster Hosted_Cluster, machine esa1\.example\.com \(2 machines\), Cluster Communication Service on 127\.0\.0\.1:\d+/);

    await runScripted(clusterconfigCommand, [], { appliance: a.appliance, args: ['removemachine', 'esa2.example.com'] });
    expect(a.appliance.cluster.doc!.shared.members.map((m) => m.name)).toEqual(['esa1.example.com']);
    expect(b.appliance.cluster.doc).toBeNull();
    // the removed machine goes on standalone with the settings it had
    expect(b.appliance.configuration.current.tdc.enabled).toBe(true);
  });

  it('refuses a join without the cluster secret, and a name already in the cluster', async () => {
    a = await startMember('esa1.example.com');
    b = await startMember('esa2.example.com');
    const created = await runScripted(clusterconfigCommand, [], { appliance: a.appliance, args: ['create'], flags: { name: 'Hosted_Cluster', port: 0 } });
    const secret = /--secret ([0-9a-f]{64})/.exec(created.transcript)![1]!;
    const address = `127.0.0.1:${a.appliance.cluster.port}`;
    await expect(runScripted(clusterconfigCommand, [], { appliance: b.appliance, args: ['join'], flags: { address, secret: 'ab'.repeat(32), port: 0 } })).rejects.toThrow(
      /Cannot join the cluster at 127\.0\.0\.1:\d+: the machine does not know the join secret/,
    );
    expect(b.appliance.cluster.doc).toBeNull();
    expect(a.appliance.cluster.doc!.shared.members).toHaveLength(1);
    // nor can anything without the secret read the cluster's configuration
    await expect(
      askPeer({ host: '127.0.0.1', port: a.appliance.cluster.port! }, 'Hosted_Cluster', 'cd'.repeat(32), 'x', {
        sync: { name: 'Hosted_Cluster', shared: a.appliance.cluster.doc!.shared, machines: {} },
        from: 'x',
      }),
    ).rejects.toThrow(/does not know the join secret/);
    await expect(runScripted(clusterconfigCommand, [], { appliance: b.appliance, args: ['join'], flags: { address, secret: 'not hex', port: 0 } })).rejects.toThrow(/Invalid join secret/);
    expect(await askPeer({ host: '127.0.0.1', port: a.appliance.cluster.port! }, null, secret, 'x', { join: { name: 'esa1.example.com', port: 1 } })).toEqual({
      err: 'A machine named esa1.example.com is already in cluster Hosted_Cluster.',
    });
  });

  it("ADDGROUP and SETGROUP: a machine moved to another group runs on that group's settings, on both members at once", async () => {
    a = await startMember('esa1.example.com');
    b = await startMember('esa2.example.com');
    await formCluster(a, b);
    const oneShot = (m: Member, ...words: string[]) =>
      runOneShot({ appliance: m.appliance, registry: commandRegistry(), words, out: new PassThrough().resume(), signal: new AbortController().signal });
    await oneShot(a, 'tdcconfig', '--enable', '--intake-address', 'cluster@beta.cmd.cisco.com');
    await runScripted(clusterconfigCommand, [], { appliance: a.appliance, args: ['addgroup', 'Partners'] });
    expect(b.appliance.cluster.doc!.shared.groups).toEqual(['Main_Group', 'Partners']);
    // the new group holds no settings; give it its own TDC (a machine in it would run on that)
    await oneShot(a, 'tdcconfig', '--intake-address', 'partners@beta.cmd.cisco.com', '--mode', 'group:Partners');
    expect(b.appliance.configuration.current.tdc.intakeAddress).toBe('cluster@beta.cmd.cisco.com');

    // moved in the shell's dialog, from the other member: the moved machine's engine follows at once
    const moved = await runScripted(clusterconfigCommand, ['SETGROUP', '2', '1', ''], { appliance: a.appliance });
    expect(moved.transcript).toContain('Choose the machine to move to another group.\n1. esa1.example.com (group Main_Group)\n2. esa2.example.com (group Main_Group)\n');
    expect(moved.transcript).toContain('Choose the group to move esa2.example.com into.\n1. Partners\n');
    expect(moved.transcript).toContain('Machine esa2.example.com is now in group Partners');
    expect(b.appliance.configuration.current.tdc).toEqual({ enabled: true, intakeAddress: 'partners@beta.cmd.cisco.com' });
    expect(a.appliance.configuration.current.tdc.intakeAddress).toBe('cluster@beta.cmd.cisco.com');
    const list = await runScripted(clusterconfigCommand, [], { appliance: b.appliance, args: ['list'] });
    expect(list.transcript).toMatch(/Group Main_Group:\nMachine esa1\.example\.com .*\nGroup Partners:\nMachine esa2\.example\.com .*\(this machine\)/);
    // the membership travelled to B's copy
    expect(b.appliance.cluster.doc!.shared.members.find((m) => m.name === 'esa2.example.com')!.group).toBe('Partners');

    // and back with the batch form: Main_Group's (the Cluster level's) settings again
    await runScripted(clusterconfigCommand, [], { appliance: b.appliance, args: ['setgroup', 'esa2.example.com', 'main_group'] });
    expect(b.appliance.configuration.current.tdc.intakeAddress).toBe('cluster@beta.cmd.cisco.com');
    expect(a.appliance.cluster.doc!.shared.members.find((m) => m.name === 'esa2.example.com')!.group).toBe('Main_Group');

    // refusals name what was wrong and change nothing
    const refused = (args: string[]) => runScripted(clusterconfigCommand, [], { appliance: a!.appliance, args });
    await expect(refused(['addgroup', 'partners'])).rejects.toThrow('There is already a group named "Partners" in cluster Hosted_Cluster.');
    await expect(refused(['addgroup', 'Bad Group'])).rejects.toThrow(/^Invalid group name "Bad Group": a group name is letters, digits/);
    await expect(refused(['setgroup', 'esa9.example.com', 'Partners'])).rejects.toThrow('There is no machine named "esa9.example.com" in cluster Hosted_Cluster.');
    await expect(refused(['setgroup', 'esa2.example.com', 'Nowhere'])).rejects.toThrow('There is no group named "Nowhere" in cluster Hosted_Cluster: add it first (ADDGROUP).');
    await expect(refused(['setgroup', 'esa2.example.com', 'Main_Group'])).rejects.toThrow('Machine esa2.example.com is already in group Main_Group.');
    expect(a.appliance.cluster.doc!.shared.groups).toEqual(['Main_Group', 'Partners']);
    // what is on disk on the other member says the same
    expect(new ClusterStore(homePaths(b.home), Date.now).load()!.shared.groups).toEqual(['Main_Group', 'Partners']);
  });

  it('asks the AsyncOS questions to create a cluster', async () => {
    a = await startMember('esa1.example.com');
    const { transcript } = await runScripted(clusterconfigCommand, ['2', '0', 'Hosted_Cluster'], { appliance: a.appliance });
    expect(transcript).toContain('Do you want to join or create a cluster?\n1. No, configure as standalone.\n2. Create a new cluster.\n3. Join an existing cluster over CCS.\n[1]> ');
    expect(transcript).toContain('Enter the name of the new cluster.\n[]> Hosted_Cluster');
    expect(transcript).toContain('Creating a cluster takes effect immediately, there is no need to commit.');
    expect(a.appliance.cluster.doc!.name).toBe('Hosted_Cluster');
  });
});
