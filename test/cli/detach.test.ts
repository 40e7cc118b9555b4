import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveControlSocket } from '../../src/cli/control-socket.js';
import { commandRegistry } from '../../src/commands/registry.js';
import { Appliance } from '../../src/engine/appliance.js';
import { homePaths } from '../../src/engine/home.js';
import { HomeLock, processAlive, runningOwner } from '../../src/engine/lock.js';
import { removeAfterFile, stopAfterFile } from '../helpers/cleanup.js';
import { smtpGreeting } from '../helpers/headless.js';
import { BIN, runBinary } from '../helpers/run-main.js';
import { labHome } from '../helpers/scripted.js';

/** Kills what `start --detach` left running on `home` after the file (it is no child of the test: it outlives its starter). */
function stopDetachedAfterFile(home: string): void {
  stopAfterFile(async () => {
    const pid = runningOwner(homePaths(home).lock);
    if (pid === null) return;
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 100 && processAlive(pid); i++) await new Promise((r) => setTimeout(r, 20));
  });
}

const portAfter = (text: string, label: RegExp) => Number(new RegExp(`${label.source}[^\\n]*?127\\.0\\.0\\.1:(\\d+)`).exec(text)?.[1]);
const answers = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });

describe('segsim start --detach and segsim stop (the real binary)', () => {
  it('returns once every service listens, printing them and the pid; the appliance outlives it; stop ends it and waits', async () => {
    const home = labHome();
    stopDetachedAfterFile(home);
    const started = await runBinary(['--home', home, 'start', '--detach']);
    expect(started).toMatchObject({ code: 0, stderr: '' });
    const pid = Number(/Running in the background \(pid (\d+)\)/.exec(started.stdout)?.[1]);
    expect(runningOwner(homePaths(home).lock)).toBe(pid);
    // at once, without waiting: every part answers
    expect(await smtpGreeting(portAfter(started.stdout, /listener IncomingMail on/))).toMatch(/^220 /);
    expect(await smtpGreeting(portAfter(started.stdout, /lab mail server exchange\.lab on/))).toMatch(/^220 /);
    expect(await smtpGreeting(portAfter(started.stdout, /SETD emulator/))).toMatch(/^220 /);
    expect(await answers(Number(/web interface https:\/\/127\.0\.0\.1:(\d+)\//.exec(started.stdout)?.[1]))).toBe(true);
    expect((await runBinary(['--home', home, 'who'])).stdout).toContain('one-shot');
    expect(readFileSync(homePaths(home).detachedLog, 'utf8')).toContain(`Running headless (pid ${pid})`);

    // a second start is refused while it runs
    expect(await runBinary(['--home', home, 'start', '--detach'])).toMatchObject({ code: 1, stderr: expect.stringContaining(`Another appliance (pid ${pid}) is already running`) });

    const stopped = await runBinary(['--home', home, 'stop']);
    expect(stopped).toMatchObject({ code: 0, stdout: `Appliance (pid ${pid}) on ${home} stopped.\n`, stderr: '' });
    expect(processAlive(pid)).toBe(false);
    expect(existsSync(homePaths(home).lock)).toBe(false);
    expect(readFileSync(homePaths(home).detachedLog, 'utf8')).toContain('Appliance stopped.');

    expect(await runBinary(['--home', home, 'stop'])).toMatchObject({ code: 1, stdout: '', stderr: `No appliance is running on ${home}.\n` });
  }, 60_000);

  it('exits 1 with the reason when the appliance cannot start, and leaves nothing running', async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const port = (taken.address() as { port: number }).port;
      const home = labHome((c) => void (c.listener.port = port));
      stopDetachedAfterFile(home);
      const r = await runBinary(['--home', home, 'start', '--detach']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^The appliance did not start \(it exited with status 1\):\n/);
      expect(r.stderr).toContain(`Listener IncomingMail cannot listen on 127.0.0.1:${port} (EADDRINUSE).`);
      expect(r.stderr).not.toContain('application fault');
      expect(runningOwner(homePaths(home).lock)).toBeNull();
    } finally {
      taken.close();
    }
  }, 60_000);

  it('stop leaves an appliance that runs inside a shell alone, and says so', async () => {
    // this test's process stands for the shell: it holds the home and serves its control socket without a stop
    const appliance = new Appliance({ home: labHome() });
    const lock = new HomeLock(appliance.paths.lock);
    lock.acquire();
    const server = await serveControlSocket(appliance, commandRegistry());
    try {
      const r = await runBinary(['--home', appliance.paths.root, 'stop']);
      expect(r).toMatchObject({ code: 1, stderr: `The appliance on ${appliance.paths.root} runs inside a shell (pid ${process.pid}): quit that shell to stop it.\n` });
      expect(await runBinary(['--home', appliance.paths.root, 'sethostname'])).toMatchObject({ code: 0, stdout: 'esa1.example.com\n' });
    } finally {
      await server.close();
      lock.release();
    }
  });

  it("runs the README's Scripting example as written, and it journals", () => {
    const readme = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
    const section = readme.slice(readme.indexOf('\n## Scripting\n'));
    const example = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
    expect(example).toContain('segsim start --detach');
    // `segsim` on the PATH is this checkout's binary; the home's ports are free ones (labHome),
    // so that the example runs beside other tests
    const bin = removeAfterFile(mkdtempSync(join(tmpdir(), 'segsim-bin-')));
    writeFileSync(join(bin, 'segsim'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
    chmodSync(join(bin, 'segsim'), 0o755);
    const home = labHome();
    stopDetachedAfterFile(home);
    const run = spawnSync('sh', ['-c', example!], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, SEGSIM_HOME: home, FORCE_COLOR: '0' },
    });
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
    expect(run.stdout).toContain('Running in the background');
    expect(run.stdout).toMatch(/Appliance \(pid \d+\) on .* stopped\.\n$/);
    // it journaled: the copies reached the SETD emulator, as mail_logs says
    const logs = join(home, 'logs', 'mail_logs');
    const text = readdirSync(logs)
      .map((f) => readFileSync(join(logs, f), 'utf8'))
      .join('');
    expect(text.match(/TDC: MID \d+ successfully delivered for scanning/g)?.length ?? 0).toBeGreaterThan(0);
  }, 90_000);
});
