import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { serveControlSocket } from '../../src/cli/control-socket.js';
import { commandRegistry } from '../../src/commands/registry.js';
import { Appliance } from '../../src/engine/appliance.js';
import { HomeLock, refuseCommitsWhileHeld } from '../../src/engine/lock.js';
import { killAfterFile } from '../helpers/cleanup.js';
import { BIN, runBinary } from '../helpers/run-main.js';
import { commitEdit, labHome } from '../helpers/scripted.js';

const storedHostname = (home: string) => (JSON.parse(readFileSync(`${home}/config.json`, 'utf8')) as { hostname: string }).hostname;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A run of the binary, and whether it has ended yet. */
function track<T>(run: Promise<T>) {
  let ended = false;
  void run.then(
    () => (ended = true),
    () => (ended = true),
  );
  return { run, ended: () => ended };
}

/** A port free at this moment, on 127.0.0.1. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const answers = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => resolve(!!socket.destroy()));
    socket.on('error', () => resolve(false));
  });

describe('segsim start, then a shell as soon as the listener answers (the real binary)', () => {
  // before the fix, 7 tries in 8 found the listener up and the control socket not yet, and the shell committed behind the appliance
  it("attaches every time, and the commit is the running appliance's", async () => {
    for (let round = 0; round < 3; round++) {
      const port = await freePort();
      const home = labHome((c) => void (c.listener.port = port));
      const start = killAfterFile(spawn(process.execPath, [BIN, '--home', home, 'start'], { stdio: 'ignore' }));
      const exited = new Promise((resolve) => start.once('exit', resolve));
      try {
        while (!(await answers(port))) await pause(5);
        const shell = await runBinary(['--home', home], ['sethostname esa7.example.com', 'commit', 'early shell', '', 'quit', ''].join('\n'));
        expect({ round, attached: shell.stdout.includes('Attached to the running appliance'), refused: shell.stdout.includes('already running') }).toEqual({ round, attached: true, refused: false });
        expect((await runBinary(['--home', home, 'sethostname'])).stdout).toBe('esa7.example.com\n');
      } finally {
        start.kill('SIGINT');
        await exited;
      }
    }
  }, 90_000);
});

// The appliance that starts is this test's process: it holds the home's lock, and its control
// socket answers only when the test opens it (as a real start does once its services listen).
describe('a session on a home whose appliance is starting (lock held, control socket not yet open)', () => {
  it('a shell waits for the control socket, then attaches; it never edits the stored configuration', async () => {
    const home = labHome();
    const appliance = new Appliance({ home });
    const lock = new HomeLock(appliance.paths.lock);
    lock.acquire();
    try {
      const shell = track(runBinary(['--home', home], ['sethostname esa7.example.com', 'commit', 'from a shell opened early', '', 'quit', ''].join('\n')));
      await pause(1500);
      expect(shell.ended()).toBe(false);
      expect(storedHostname(home)).toBe('esa1.example.com');
      const server = await serveControlSocket(appliance, commandRegistry(), () => 'Attached to the running appliance (the test).');
      try {
        const r = await shell.run;
        expect(r.code).toBe(0);
        expect(r.stdout).toContain('Attached to the running appliance (the test).');
        expect(r.stdout).not.toMatch(/already running|did not start/);
        // committed by the running appliance, in its own configuration
        expect(appliance.configuration.current.hostname).toBe('esa7.example.com');
      } finally {
        await server.close();
      }
    } finally {
      lock.release();
    }
  }, 60_000);

  it('a one-shot run waits while the lock is held, and runs on its own once the holder is gone', async () => {
    const home = labHome();
    const lock = new HomeLock(`${home}/segsim.pid`);
    lock.acquire();
    const oneShot = track(runBinary(['--home', home, 'sethostname', 'esa8.example.com']));
    try {
      await pause(1500);
      expect(oneShot.ended()).toBe(false);
      expect(storedHostname(home)).toBe('esa1.example.com');
    } finally {
      lock.release(); // the appliance did not start after all
    }
    expect(await oneShot.run).toMatchObject({ code: 0, stderr: '' });
    expect(storedHostname(home)).toBe('esa8.example.com');
  }, 60_000);

  it('a session that found no appliance commits nothing once another process holds the home', async () => {
    const home = labHome();
    const appliance = new Appliance({ home });
    refuseCommitsWhileHeld(appliance.configuration, appliance.paths.lock);
    await commitEdit(appliance, (c) => void (c.hostname = 'esa2.example.com'));
    // a live process that is not this one: the test runner's parent
    writeFileSync(appliance.paths.lock, String(process.ppid));
    await expect(commitEdit(appliance, (c) => void (c.hostname = 'esa3.example.com'))).rejects.toThrow(
      `An appliance (pid ${process.ppid}) now runs on this home directory and owns its configuration: nothing was committed.`,
    );
    expect(storedHostname(home)).toBe('esa2.example.com');
  });
});
