import { commandRegistry } from '../../src/commands/registry.js';
import { Appliance } from '../../src/engine/appliance.js';
import { expectGolden } from '../helpers/golden.js';
import { runOneShot } from '../../src/cli/one-shot.js';
import { Writable } from 'node:stream';
import { runMain } from '../helpers/run-main.js';
import { tempHome } from '../helpers/scripted.js';
import { shellOn } from './shell.js';
import { cleanUp, formCluster, startMember, type Member } from './helpers.js';

describe('clustermode and the cluster prompt', () => {
  let a: Member | undefined;
  let b: Member | undefined;
  afterEach(async () => {
    await cleanUp([a, b]);
    a = b = undefined;
  });

  it('clusterconfig in the shell: create, LIST and the prompt in Cluster mode (golden)', async () => {
    a = await startMember('esa1.example.com');
    b = await startMember('esa2.example.com');
    const t = shellOn(a.appliance);
    await t.type('clusterconfig', '2', '0', 'Hosted_Cluster');
    const secret = a.appliance.cluster.doc!.secret;
    const tb = shellOn(b.appliance);
    await tb.type('clusterconfig', '3', '0', String(a.appliance.cluster.port), secret);
    expect(tb.shell.prompt).toBe('(Cluster Hosted_Cluster)> ');
    await t.type('clusterconfig', 'LIST', '');
    expectGolden('clusterconfig.txt', t.screen() + tb.screen());
  });

  it('clusterconfig in the shell: ADDGROUP, SETGROUP and the list by group (golden)', async () => {
    a = await startMember('esa1.example.com');
    b = await startMember('esa2.example.com');
    await formCluster(a, b);
    const t = shellOn(a.appliance);
    // a shell on a clustered machine starts in its Machine mode: clusterconfig asks to switch
    expect(t.shell.prompt).toBe('(Machine esa1.example.com)> ');
    await t.type('clusterconfig', 'Y', 'ADDGROUP', 'Partners', 'SETGROUP', '2', '1', 'LIST', '');
    expect(b.appliance.cluster.doc!.shared.members.map((m) => m.group)).toEqual(['Main_Group', 'Partners']);
    expectGolden('clusterconfig-groups.txt', t.screen());
  });

  it('clustermode switches the level of this session only, and configuration commands edit it', async () => {
    a = await startMember('esa1.example.com');
    b = await startMember('esa2.example.com');
    await formCluster(a, b);
    const t = shellOn(a.appliance);
    const other = shellOn(a.appliance);
    // a CLI session on a clustered machine starts in Machine mode of that machine, as on AsyncOS
    expect(t.shell.prompt).toBe('(Machine esa1.example.com)> ');
    await t.type('clustermode cluster');
    expect(t.shell.prompt).toBe('(Cluster Hosted_Cluster)> ');
    await t.type('clustermode', '2', '1');
    expect(t.shell.prompt).toBe('(Group Main_Group)> ');
    await t.type('clustermode', '3', '2');
    expect(t.shell.prompt).toBe('(Machine esa2.example.com)> ');
    await t.type('clustermode', '3', '');
    expect(t.shell.prompt).toBe('(Machine esa1.example.com)> ');
    await other.type('clustermode cluster');
    expect(other.shell.prompt).toBe('(Cluster Hosted_Cluster)> ');
    expect(t.shell.prompt).toBe('(Machine esa1.example.com)> ');
    // Machine level holds no TDC settings yet: the NOTICE, and a copy of the cluster's to edit here
    await t.type('tdcconfig --disable', '3');
    await t.type('commit --comment machine-level');
    expect(a.appliance.cluster.doc!.machines['esa1.example.com']!.settings.tdc).toEqual({ enabled: false, intakeAddress: null });
    await t.type('clustermode cluster');
    expect(t.shell.prompt).toBe('(Cluster Hosted_Cluster)> ');
    // a restricted command asks to switch to this machine
    await t.type('tophosts', 'Y', '');
    expect(t.shell.prompt).toBe('(Machine esa1.example.com)> ');
    await t.type('tdcconfig --enable --intake-address x@beta.cmd.cisco.com');
    // uncommitted changes stay with their mode
    await t.type('clustermode cluster');
    expect(t.shell.prompt).toBe('(Machine esa1.example.com)> ');
    await t.type('clear', 'Y');
    await t.type('clustermode cluster');
    await t.type('tophosts', 'N');
    expect(t.shell.prompt).toBe('(Cluster Hosted_Cluster)> ');
    expectGolden('clustermode.txt', t.screen());
  });

  it("one-shot runs: restricted commands run in this machine's mode, configuration at Cluster level", async () => {
    a = await startMember('esa1.example.com');
    b = await startMember('esa2.example.com');
    await formCluster(a, b);
    let out = '';
    const sink = new Writable({
      write(chunk, _e, done) {
        out += String(chunk);
        done();
      },
    });
    await runOneShot({ appliance: a.appliance, registry: commandRegistry(), words: ['tophosts', '--sort', 'active'], out: sink, signal: new AbortController().signal });
    expect(out).toContain('Status as of:');
    await runOneShot({
      appliance: a.appliance,
      registry: commandRegistry(),
      words: ['tdcconfig', '--enable', '--intake-address', 'one@beta.cmd.cisco.com'],
      out: sink,
      signal: new AbortController().signal,
    });
    expect(a.appliance.cluster.doc!.shared.cluster.tdc!.intakeAddress).toBe('one@beta.cmd.cisco.com');
    expect(b.appliance.configuration.current.tdc.intakeAddress).toBe('one@beta.cmd.cisco.com');
  });

  it('one-shot runs edit the level --mode names; a restricted command refuses another mode', async () => {
    a = await startMember('esa1.example.com');
    b = await startMember('esa2.example.com');
    await formCluster(a, b);
    const run = async (...words: string[]) => {
      let out = '';
      const sink = new Writable({
        write(chunk, _e, done) {
          out += String(chunk);
          done();
        },
      });
      const error = await runOneShot({ appliance: a!.appliance, registry: commandRegistry(), words, out: sink, signal: new AbortController().signal }).then(
        () => null,
        (e: unknown) => e as Error,
      );
      return { out, error };
    };
    await run('tdcconfig', '--enable', '--intake-address', 'cluster@beta.cmd.cisco.com');
    // Machine level of this machine (no name): its TDC starts from the settings in effect
    expect((await run('tdcconfig', '--intake-address', 'mine@beta.cmd.cisco.com', '--mode', 'machine')).error).toBeNull();
    expect(a.appliance.cluster.doc!.machines['esa1.example.com']!.settings.tdc).toEqual({ enabled: true, intakeAddress: 'mine@beta.cmd.cisco.com' });
    expect(a.appliance.configuration.current.tdc.intakeAddress).toBe('mine@beta.cmd.cisco.com');
    expect(b.appliance.configuration.current.tdc.intakeAddress).toBe('cluster@beta.cmd.cisco.com');
    // another machine's level, and a group's, by name (case-insensitive)
    await run('tdcconfig', '--disable', '--mode', 'machine:ESA2.example.com');
    expect(b.appliance.configuration.current.tdc.enabled).toBe(false);
    await run('tdcconfig', '--intake-address', 'group@beta.cmd.cisco.com', '--mode', 'group:main_group');
    expect(a.appliance.cluster.doc!.shared.groups_settings.Main_Group!.tdc!.intakeAddress).toBe('group@beta.cmd.cisco.com');
    // the Cluster level is untouched by all of that, and --mode cluster is the default
    expect(a.appliance.cluster.doc!.shared.cluster.tdc!.intakeAddress).toBe('cluster@beta.cmd.cisco.com');
    await run('tdcconfig', '--intake-address', 'cluster2@beta.cmd.cisco.com', '--mode', 'cluster');
    expect(a.appliance.cluster.doc!.shared.cluster.tdc!.intakeAddress).toBe('cluster2@beta.cmd.cisco.com');

    const unknown = await run('tdcconfig', '--disable', '--mode', 'machine:esa9.example.com');
    expect(unknown.error?.message).toBe('Unknown machine "esa9.example.com": choose one of esa1.example.com, esa2.example.com.');
    expect((await run('tdcconfig', '--disable', '--mode', 'planet')).error?.message).toBe('Unknown mode "planet": use cluster, group [NAME] or machine [NAME].');
    const restricted = await run('sethostname', 'esa3.example.com', '--mode', 'cluster');
    expect(restricted.error?.message).toBe('sethostname is restricted to "Machine esa1.example.com" mode: it cannot run with --mode cluster.');
    expect(a.appliance.configuration.current.hostname).toBe('esa1.example.com');
    // nothing of the refused runs was committed
    expect(a.appliance.cluster.doc!.machines['esa1.example.com']!.settings.tdc!.enabled).toBe(true);
  });

  it('--mode on a standalone appliance is refused, naming why (exit 1), and changes nothing', async () => {
    const home = tempHome();
    const r = await runMain(['--home', home, 'tdcconfig', '--enable', '--intake-address', 'x@beta.cmd.cisco.com', '--mode', 'machine']);
    expect(r).toMatchObject({ code: 1, stdout: '', stderr: '--mode machine: this command is only available on cluster system (this machine is not in a cluster).\n' });
    expect((await runMain(['--home', home, 'tdcconfig', '--help'])).stdout).toContain('--mode: the cluster level');
    expect(new Appliance({ home }).configuration.current.tdc.enabled).toBe(false);
  });
});
