import { clusterconfigCommand } from '../../src/commands/clusterconfig.js';
import { askPeer } from '../../src/engine/cluster/peer-protocol.js';
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
    await expect(askPeer({ host: '127.0.0.1', port: a.appliance.cluster.port! }, 'Hosted_Cluster', 'cd'.repeat(32), 'x', { sync: { name: 'Hosted_Cluster', shared: a.appliance.cluster.doc!.shared, machines: {} }, from: 'x' })).rejects.toThrow(/does not know the join secret/);
    await expect(runScripted(clusterconfigCommand, [], { appliance: b.appliance, args: ['join'], flags: { address, secret: 'not hex', port: 0 } })).rejects.toThrow(/Invalid join secret/);
    expect(await askPeer({ host: '127.0.0.1', port: a.appliance.cluster.port! }, null, secret, 'x', { join: { name: 'esa1.example.com', port: 1 } })).toEqual({
      err: 'A machine named esa1.example.com is already in cluster Hosted_Cluster.',
    });
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
