import { PassThrough } from 'node:stream';
import { runOneShot } from '../../src/cli/one-shot.js';
import { commandRegistry } from '../../src/commands/registry.js';
import { describeError } from '../../src/errors.js';
import { expectGolden } from '../helpers/golden.js';
import { runMain } from '../helpers/run-main.js';
import { tempHome } from '../helpers/scripted.js';
import { shellOn } from './shell.js';
import { cleanUp, formCluster, startMember, type Member } from './helpers.js';

describe('CLUSTERSET and CLUSTERSHOW in policyconfig', () => {
  let a: Member | undefined;
  let b: Member | undefined;
  afterEach(async () => {
    await cleanUp([a, b]);
    a = b = undefined;
  });

  /** A one-shot run on `m`; resolves to what it printed, or rejects with the error's text and exit status. */
  async function oneShot(m: Member, ...words: string[]): Promise<string> {
    let out = '';
    const sink = new PassThrough().on('data', (d) => (out += d));
    try {
      await runOneShot({ appliance: m.appliance, registry: commandRegistry(), words, out: sink, signal: new AbortController().signal });
    } catch (error) {
      const { text, exitCode } = describeError(error);
      throw new Error(`${exitCode}: ${text}`);
    }
    return out;
  }
  const policies = (m: Member) => m.appliance.configuration.current.incomingPolicies.map((p) => p.name);

  it("in the dialog: CLUSTERSHOW, and CLUSTERSET copying the Cluster level's policies to a machine (golden)", async () => {
    a = await startMember('esa1.example.com');
    b = await startMember('esa2.example.com');
    await formCluster(a, b);
    const t = shellOn(a.appliance);
    await t.type('clustermode cluster');
    await t.type('policyconfig', '1', 'CLUSTERSHOW', 'CLUSTERSET', '1', '3', '2', 'Y', 'CLUSTERSHOW', '');
    const machine = a.appliance.cluster.doc!.machines['esa2.example.com']!.settings;
    expect(Object.keys(machine).sort()).toEqual(['incomingPolicies', 'outgoingPolicies']);
    expect(b.appliance.cluster.doc!.machines['esa2.example.com']!.settings.incomingPolicies).toEqual(a.appliance.cluster.doc!.shared.cluster.incomingPolicies);
    expectGolden('policyconfig-clusterset.txt', t.screen());

    // CLUSTERSET takes effect at once: refused while the session has changes pending
    await t.type('policyconfig --new pending --recipient pending.example');
    await t.type('policyconfig', '1', 'CLUSTERSET', '');
    expect(t.screen()).toMatch(/\[\]> CLUSTERSET\nThis session has uncommitted changes: commit or clear them before CLUSTERSET \(it takes effect at once\)\.\n/);
    expect(a.appliance.cluster.doc!.shared.groups_settings).toEqual({});
  });

  it('batch: --clustershow, --clusterset copy/move/delete from the --mode level; the engines follow at once', async () => {
    a = await startMember('esa1.example.com');
    b = await startMember('esa2.example.com');
    await formCluster(a, b);
    await oneShot(a, 'policyconfig', '--new', 'partner', '--recipient', 'partner.example', '--mode', 'machine:esa2.example.com');
    expect(policies(b)).toEqual(['partner', 'DEFAULT']);
    expect(policies(a)).toEqual(['DEFAULT']);
    const shown = JSON.parse(await oneShot(b, 'policyconfig', '--clustershow', '--json')) as unknown;
    expect(shown).toEqual([
      {
        settings: 'Incoming Mail Policies (policyconfig)',
        heldAt: ['Cluster Hosted_Cluster', 'Machine esa2.example.com'],
        used: { 'esa1.example.com': 'Cluster Hosted_Cluster', 'esa2.example.com': 'Machine esa2.example.com' },
      },
      { settings: 'Outgoing Mail Policies (policyconfig)', heldAt: ['Cluster Hosted_Cluster'], used: { 'esa1.example.com': 'Cluster Hosted_Cluster', 'esa2.example.com': 'Cluster Hosted_Cluster' } },
    ]);

    // moved from esa2's Machine level to its group: esa1, in the same group, now runs on it too
    expect(await oneShot(a, 'policyconfig', '--clusterset', 'move', '--to', 'group', '--mode', 'machine:esa2.example.com')).toBe(
      'The settings were moved to Group Main_Group. The change takes effect immediately, there is no need to commit.\n',
    );
    expect(policies(a)).toEqual(['partner', 'DEFAULT']);
    expect(policies(b)).toEqual(['partner', 'DEFAULT']);
    expect(b.appliance.cluster.doc!.machines['esa2.example.com']!.settings).toEqual({});
    // deleted from the group: both back on the Cluster level's
    await oneShot(b, 'policyconfig', '--clusterset', 'delete', '--mode', 'group:Main_Group');
    expect(policies(a)).toEqual(['DEFAULT']);
    expect(policies(b)).toEqual(['DEFAULT']);
    expect(a.appliance.cluster.doc!.shared.groups_settings.Main_Group).toEqual({});

    // refusals say what was wrong, and change nothing
    const refused = (...words: string[]) =>
      oneShot(a!, 'policyconfig', ...words).then(
        () => 'no error',
        (e: Error) => e.message,
      );
    expect(await refused('--clusterset', 'delete')).toBe('1: The settings of Cluster Hosted_Cluster cannot be deleted: every machine falls back to them. Copy them instead.');
    expect(await refused('--clusterset', 'move', '--to', 'machine')).toBe('1: The settings of Cluster Hosted_Cluster cannot be moved: every machine falls back to them. Copy them instead.');
    expect(await refused('--clusterset', 'copy', '--to', 'cluster')).toBe('2: Choose another mode than Cluster Hosted_Cluster to copy the settings to.');
    expect(await refused('--clusterset', 'copy')).toBe('2: --clusterset copy needs --to MODE (cluster, group[:NAME] or machine[:NAME]).');
    expect(await refused('--clusterset', 'delete', '--mode', 'machine')).toBe('1: Machine esa1.example.com holds no such settings: there is nothing to delete.');
    expect(await refused('--clustershow', '--new', 'x')).toMatch(/^2: Invalid arguments when processing: option '--clustershow' cannot be used with option '--new/);
    expect(await refused('--clusterset', 'swap')).toMatch(/^2: Invalid arguments when processing: option '--clusterset <op>' argument 'swap' is invalid/);
    expect(Object.keys(a.appliance.cluster.doc!.machines['esa1.example.com']?.settings ?? {})).toEqual([]);
  });

  it('is refused on a standalone appliance, and the dialog does not offer it there', async () => {
    const home = tempHome();
    expect(await runMain(['--home', home, 'policyconfig', '--clustershow'])).toMatchObject({ code: 1, stderr: 'policyconfig: CLUSTERSET and CLUSTERSHOW are only available on cluster system.\n' });
    a = await startMember('esa1.example.com');
    const t = shellOn(a.appliance);
    await t.type('policyconfig', '1', '');
    expect(t.screen()).not.toContain('CLUSTERSET');
  });
});
