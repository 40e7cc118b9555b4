import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { killAfterFile, removeAfterFile } from '../helpers/cleanup.js';
import { havePeers, swaks } from '../helpers/peers.js';
import { BIN, runBinary } from '../helpers/run-main.js';

/** `segsim lab cluster start DIR` in a process of its own; resolves once every machine runs. */
function startLab(dir: string, env: NodeJS.ProcessEnv = process.env, line?: string): Promise<{ child: ChildProcess; output: () => string }> {
  // a line of the README runs in sh, as written (exec: the signal reaches segsim itself)
  const [command, args] = line ? ['sh', ['-c', `exec ${line}`]] : [process.execPath, [BIN, 'lab', 'cluster', 'start', dir]];
  const child = killAfterFile(spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...env, FORCE_COLOR: '0' } }));
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`lab cluster start did not come up:\n${out}`)), 30_000);
    child.stdout!.on('data', () => {
      if (out.includes('Running the lab cluster')) {
        clearTimeout(timer);
        resolve({ child, output: () => out });
      }
    });
    child.once('exit', (code) => reject(new Error(`lab cluster start exited (${code}):\n${out}`)));
  });
}

async function stopLab(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  child.kill('SIGTERM');
  return exited;
}

const segsim = async (...args: string[]) => {
  const r = await runBinary(args);
  if (r.code !== 0) throw new Error(`segsim ${args.join(' ')}: exit ${r.code}\n${r.stdout}${r.stderr}`);
  return r.stdout;
};

/** Polls until `check` holds (at most `ms`). */
async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (check(value) || Date.now() > end) return value;
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** The table's row of a machine: its ports by column. */
function ports(table: string, machine: string): Record<string, number> {
  const row = table
    .split('\n')
    .find((l) => l.startsWith(machine))!
    .trim()
    .split(/\s+/);
  const [listener, mail, web, ssh, api, cluster] = row.slice(2).map(Number);
  return { listener: listener!, mail: mail!, web: web!, ssh: ssh!, api: api!, cluster: cluster! };
}

describe.runIf(havePeers)('segsim lab cluster (the real binary)', () => {
  it("3 machines, one SETD: TDC at Cluster level from esa1 with esa3's account, a Machine-level policy on esa2 only, disconnect and reconnect of esa3", async () => {
    const dir = join(removeAfterFile(mkdtempSync(join(tmpdir(), 'segsim-lab-cluster-'))), 'lab');
    const created = await runBinary(['lab', 'cluster', 'create', dir, '--machines', '3', '--ports', '46000-46200']);
    expect(created).toMatchObject({ code: 0, stderr: '' });
    expect(created.stdout).toContain('Machine           Home');
    const p = [1, 2, 3].map((i) => ports(created.stdout, `esa${i}.example.com`));
    // every service of every machine has a port of its own
    const all = p.flatMap((m) => Object.values(m));
    expect(new Set(all).size).toBe(18);
    const home = (i: number) => join(dir, `esa${i}`);
    const lab = await startLab(dir);
    try {
      expect(lab.output()).toContain('SETD emulator (one for every machine)');
      // a CLI session on a clustered machine starts in its Machine mode
      const shell = await runBinary(['--home', home(2)], 'clustermode\n\n');
      expect(shell.stdout).toContain('(Machine esa2.example.com)> ');

      const setup = await segsim('--home', home(3), 'setd', 'setup', '--name', 'class', '--seg', 'yes', '--json');
      const intake = (JSON.parse(setup) as { intakeAddress: string }).intakeAddress;
      expect(JSON.parse(await segsim('--home', home(1), 'setd', 'accounts', '--json'))).toEqual([expect.objectContaining({ intakeAddress: intake })]);
      await segsim('--home', home(1), 'tdcconfig', '--enable', '--intake-address', intake);
      await segsim('--home', home(2), 'policyconfig', '--new', 'partner', '--recipient', 'partner@example.com', '--tdc', 'no', '--mode', 'machine');

      for (const m of p) {
        for (const to of ['user@example.com', 'partner@example.com']) {
          expect(swaks(['--server', `127.0.0.1:${m.listener}`, '--to', to, '--from', 'sender@outside.test', '--silent', '2'])).toMatchObject({ code: 0 });
        }
      }
      // every journal at the one account: 3 for user@, 2 for partner@ (esa2 does not journal it)
      const messages = await eventually(
        async () => JSON.parse(await segsim('--home', home(2), 'setd', 'messages', '--json')) as { recipients: string[] }[],
        (list) => list.length >= 5,
      );
      expect(messages.map((m) => m.recipients.join()).sort()).toEqual(['partner@example.com', 'partner@example.com', 'user@example.com', 'user@example.com', 'user@example.com']);
      for (const i of [1, 2, 3]) {
        const delivered = await eventually(
          () => segsim('--home', home(i), 'grep', '-c', '-e', 'successfully delivered for scanning', 'mail_logs'),
          (out) => Number(out.trim().split(/\s+/).pop()) >= (i === 2 ? 1 : 2),
        );
        expect(Number(delivered.trim().split(/\s+/).pop())).toBe(i === 2 ? 1 : 2);
        const policy = await segsim('--home', home(i), 'grep', '-c', '-e', 'per-recipient policy partner', 'mail_logs');
        expect(Number(policy.trim().split(/\s+/).pop())).toBe(i === 2 ? 1 : 0);
      }

      // esa3 away: shown disconnected; a commit made meanwhile reaches it once reconnected
      expect(await segsim('--home', home(1), 'clusterconfig', 'disconnect', 'esa3.example.com')).toContain('there is no need to commit');
      expect(await segsim('--home', home(2), 'clusterconfig', 'list')).toContain(`Machine esa3.example.com (127.0.0.1 port ${p[2]!.cluster}) (disconnected)`);
      expect(await segsim('--home', home(1), 'clusterconfig', 'connstatus')).toMatch(/esa3\.example\.com .*: Disconnected \(disconnected by clusterconfig disconnect/);
      await segsim('--home', home(1), 'tdcconfig', '--disable');
      const tdcOf = async (i: number) => JSON.parse(await segsim('--home', home(i), 'tdcconfig', '--json')) as { enabled: boolean };
      expect(await tdcOf(2)).toMatchObject({ enabled: false });
      expect(await tdcOf(3)).toMatchObject({ enabled: true });
      expect(await segsim('--home', home(2), 'clusterconfig', 'reconnect', 'esa3.example.com')).toContain('reconnected');
      expect(
        await eventually(
          () => tdcOf(3),
          (t) => !t.enabled,
        ),
      ).toMatchObject({ enabled: false });
      expect(await segsim('--home', home(3), 'clusterconfig', 'list')).not.toContain('(disconnected)');
    } finally {
      expect(await stopLab(lab.child)).toBe(0);
    }
    expect(lab.output()).toContain('Lab cluster stopped.');
  }, 90_000);

  it("runs the README's cluster walkthrough as written: two commands, then the seed's configuration; every journal at the one account", async () => {
    const readme = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
    const section = readme.slice(readme.indexOf('\n## Cluster walkthrough\n'), readme.indexOf('\n## Performance\n'));
    const [create, start, configure] = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(create).toContain('segsim lab cluster create ~/esa-lab --machines 3');
    expect(start!.trim()).toBe('segsim lab cluster start ~/esa-lab');
    // `segsim` on the PATH is this checkout's binary; ~ is a temporary directory
    const home = removeAfterFile(mkdtempSync(join(tmpdir(), 'segsim-readme-')));
    const bin = join(home, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'segsim'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
    chmodSync(join(bin, 'segsim'), 0o755);
    const env = { ...process.env, HOME: home, PATH: `${bin}:${process.env.PATH}`, FORCE_COLOR: '0' };
    const sh = (script: string) => spawnSync('sh', ['-c', script], { encoding: 'utf8', timeout: 60_000, env });
    const made = sh(create!);
    expect({ status: made.status, stderr: made.stderr }).toEqual({ status: 0, stderr: '' });
    expect(made.stdout).toMatch(/esa2\.example\.com +\S+ +2545 /);
    const lab = await startLab(join(home, 'esa-lab'), env, start!.trim());
    try {
      const run = sh(configure!);
      expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
      expect(run.stdout).toContain('Machine esa3.example.com (127.0.0.1 port 2252)');
      const lab1 = join(home, 'esa-lab', 'esa1');
      const journals = await eventually(
        async () => JSON.parse(await segsim('--home', lab1, 'setd', 'messages', '--json')) as unknown[],
        (list) => list.length >= 3,
      );
      expect(journals).toHaveLength(3);
    } finally {
      expect(await stopLab(lab.child)).toBe(0);
    }
  }, 90_000);

  it('bad input: DIR not empty, N out of range, ports exhausted, a damaged home: clear errors, nothing half-made', async () => {
    const root = removeAfterFile(mkdtempSync(join(tmpdir(), 'segsim-lab-cluster-')));
    const full = join(root, 'full');
    mkdirSync(full);
    writeFileSync(join(full, 'notes.txt'), 'mine');
    expect(await runBinary(['lab', 'cluster', 'create', full, '--machines', '2'])).toMatchObject({ code: 1, stderr: expect.stringContaining(`${full} exists and is not empty`) });
    expect(readdirSync(full)).toEqual(['notes.txt']);
    const fresh = join(root, 'fresh');
    for (const n of ['1', '9', 'three']) {
      expect(await runBinary(['lab', 'cluster', 'create', fresh, '--machines', n])).toMatchObject({ code: 2, stderr: `Invalid --machines "${n}": a lab cluster has 2 to 8 machines.\n` });
    }
    expect(await runBinary(['lab', 'cluster', 'create', fresh, '--machines', '2', '--ports', '46300-46305'])).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('The ports 46300-46305 are exhausted'),
    });
    expect(existsSync(fresh)).toBe(false);
    // an empty directory is used, and left empty when it fails
    mkdirSync(fresh);
    const held = createServer().listen(0, '127.0.0.1');
    await new Promise((r) => held.once('listening', r));
    expect((await runBinary(['lab', 'cluster', 'create', fresh, '--machines', '2', '--ports', `${(held.address() as AddressInfo).port}-${(held.address() as AddressInfo).port}`])).code).toBe(1);
    held.close();
    expect(readdirSync(fresh)).toEqual([]);

    // a damaged member home: named, and nothing keeps running
    const made = join(root, 'made');
    expect((await runBinary(['lab', 'cluster', 'create', made, '--machines', '2', '--ports', '46400-46500'])).code).toBe(0);
    writeFileSync(join(made, 'esa2', 'config.json'), '{"torn');
    const start = await runBinary(['lab', 'cluster', 'start', made]);
    expect(start.code).toBe(1);
    expect(start.stderr).toMatch(new RegExp(`Machine esa2\\.example\\.com \\(${made}/esa2\\) did not start: Configuration file ${made}/esa2/config\\.json is corrupt`));
    expect(existsSync(join(made, 'esa1', 'segsim.pid'))).toBe(false);
    expect(await runBinary(['lab', 'cluster', 'start', join(root, 'nowhere')])).toMatchObject({ code: 1, stderr: expect.stringContaining('is not a lab cluster: it has no lab-cluster.json') });

    // a port taken at start: said by the part and the port, no stack trace
    const busy = join(root, 'busy');
    expect((await runBinary(['lab', 'cluster', 'create', busy, '--machines', '2', '--ports', '46600-46700'])).code).toBe(0);
    const setdPort = (JSON.parse(readFileSync(join(busy, 'lab-cluster.json'), 'utf8')) as { setd: { port: number } }).setd.port;
    const taker = createServer().listen(setdPort, '127.0.0.1');
    await new Promise((r) => taker.once('listening', r));
    try {
      expect(await runBinary(['lab', 'cluster', 'start', busy])).toEqual({
        code: 1,
        stdout: '',
        stderr: `The SETD emulator of the lab cluster cannot listen on 127.0.0.1:${setdPort} (EADDRINUSE).\n`,
      });
    } finally {
      taker.close();
    }
  }, 60_000);
});
