import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tdcconfigCommand } from '../../src/commands/tdcconfig.js';
import { waitFor } from '../helpers/engine.js';
import { BIN, runBinary } from '../helpers/run-main.js';
import { consoleSession, labHome, runScripted } from '../helpers/scripted.js';
import { cleanUp, startMember, type Member } from './helpers.js';

/** `segsim start` on a home, in a process of its own (the real binary, built into dist/). */
async function startProcess(home: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BIN, '--home', home, 'start'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
  let out = '';
  child.stdout!.on('data', (d) => (out += String(d)));
  await waitFor(() => out.includes('Running headless'), 20_000, `segsim start serving:\n${out}`);
  return child;
}

describe('a member killed with SIGKILL (real processes)', () => {
  let a: Member | undefined;
  let child: ChildProcess | undefined;
  afterEach(async () => {
    child?.kill('SIGKILL');
    await cleanUp([a]);
  });

  it('has every change it acknowledged on disk, and catches up with what it missed', async () => {
    a = await startMember('esa1.example.com');
    const home = labHome((c) => void (c.hostname = 'esa2.example.com'));
    child = await startProcess(home);
    // one-shot runs of the real binary, forwarded over each appliance's control socket
    const created = await runBinary(['--home', a.home, 'clusterconfig', 'create', '--name', 'Hosted_Cluster', '--port', '0']);
    const secret = /--secret ([0-9a-f]{64})/.exec(created.stdout)![1]!;
    const joined = await runBinary(['--home', home, 'clusterconfig', 'join', '--address', `127.0.0.1:${a.appliance.cluster.port}`, '--secret', secret, '--port', '0']);
    expect(joined.stdout).toContain('Joined cluster Hosted_Cluster as Machine esa2.example.com');

    // A's commit returns once B has it: B acknowledged it, so it is on B's disk when B is killed at once
    // (the console shell starts in Machine mode of esa1: the change is made at Cluster level)
    consoleSession(a.appliance).mode = { level: 'cluster' };
    await runScripted(tdcconfigCommand, [], { appliance: a.appliance, flags: { enable: true, intakeAddress: 'acked@beta.cmd.cisco.com' } });
    await consoleSession(a.appliance).config.commit('before the kill');
    child.kill('SIGKILL');
    await new Promise((resolve) => child!.once('exit', resolve));
    const onDisk = (file: string) => JSON.parse(readFileSync(`${home}/${file}`, 'utf8'));
    expect(onDisk('cluster.json').shared.cluster.tdc.intakeAddress).toBe('acked@beta.cmd.cisco.com');
    expect(onDisk('config.json').tdc.intakeAddress).toBe('acked@beta.cmd.cisco.com');

    // a change made while B is dead reaches it when it starts again
    await runScripted(tdcconfigCommand, [], { appliance: a.appliance, flags: { intakeAddress: 'missed@beta.cmd.cisco.com' } });
    await consoleSession(a.appliance).config.commit('while B is dead');
    child = await startProcess(home);
    const shown = await runBinary(['--home', home, 'tdcconfig', '--json']);
    expect(shown.stdout).toContain('missed@beta.cmd.cisco.com');
  });
});
