import { statSync, writeFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { forwardToAppliance, serveControlSocket } from '../../src/cli/control-socket.js';
import { commandRegistry } from '../../src/commands/registry.js';
import { Appliance } from '../../src/engine/appliance.js';
import { HomeLock } from '../../src/engine/lock.js';
import { exchangeLines, smtpGreeting, startHeadless } from '../helpers/headless.js';
import { runBinary } from '../helpers/run-main.js';
import { labHome, tempHome } from '../helpers/scripted.js';

function capture() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (d) => (text += d));
  return { stream, text: () => text };
}

describe('control socket', () => {
  it('serves one-shot commands inside the running appliance, owner-only', async () => {
    const appliance = new Appliance({ home: tempHome() });
    const server = await serveControlSocket(appliance, commandRegistry());
    try {
      expect(statSync(appliance.paths.socket).mode & 0o777).toBe(0o600);
      const out = capture();
      const err = capture();
      const code = await forwardToAppliance(appliance.paths.socket, ['sethostname', 'esa9.example.com'], { stdout: out.stream, stderr: err.stream });
      expect(code).toBe(0);
      expect(out.text()).toMatch(/^Changes committed: /);
      // the running appliance's own configuration changed at once
      expect(appliance.configuration.current.hostname).toBe('esa9.example.com');
      const bad = await forwardToAppliance(appliance.paths.socket, ['nosuch'], { stdout: out.stream, stderr: err.stream });
      expect(bad).toBe(2);
      expect(err.text()).toBe('Unknown command or missing feature key: nosuch\n');
    } finally {
      await server.close();
    }
  });

  it('answers null when no appliance listens', async () => {
    const appliance = new Appliance({ home: tempHome() });
    expect(await forwardToAppliance(appliance.paths.socket, ['version'], { stdout: new PassThrough(), stderr: new PassThrough() })).toBeNull();
  });

  it('refuses a second appliance on one home, and takes over a stale lock', () => {
    const appliance = new Appliance({ home: tempHome() });
    const first = new HomeLock(appliance.paths.lock);
    first.acquire();
    expect(() => new HomeLock(appliance.paths.lock).acquire()).toThrow(/already running on this home directory/);
    first.release();
    const stale = new HomeLock(appliance.paths.lock);
    stale.acquire();
    // simulate a process that died without releasing: a pid that cannot exist
    writeFileSync(appliance.paths.lock, '999999999');
    expect(() => new HomeLock(appliance.paths.lock).acquire()).not.toThrow();
  });
});

describe('control requests of the wrong shape (the real binary)', () => {
  it('answers each with an error naming what is wrong and closes the connection; the appliance goes on', async () => {
    const home = labHome();
    const appliance = await startHeadless(home);
    const socket = `${home}/segsim.sock`;
    try {
      const refused: [string[], RegExp][] = [
        [['null'], /the request must be an object, not null/],
        [['42'], /the request must be an object, not 42/],
        [['"x"'], /the request must be an object, not "x"/],
        [['true'], /the request must be an object, not true/],
        [['[]'], /the request must be an object, not a list/],
        [['{}'], /the request must have exactly one of "argv", "shell"/],
        [['{"argv": ["status"], "shell": {"terminal": false}}'], /exactly one of "argv", "shell"/],
        [['{"argv": "status"}'], /argv must be a list, not "status"/],
        [['{"argv": ["status", 7]}'], /argv\[1\] must be text, not 7/],
        [[JSON.stringify({ argv: Array(2000).fill('x') })], /argv can have at most 1024 entries/],
        [['{"shell": null}'], /shell must be an object, not null/],
        [['{"shell": {"terminal": "yes"}}'], /shell.terminal must be true or false, not "yes"/],
        [['{"shell": {"terminal": true, "colour": 9}}'], /shell.colour must be at most 3/],
        [['{"verb": 1}'], /unknown key "verb"/],
        // an attached shell's later messages are checked too
        [['{"shell": {"terminal": false}}', 'null'], /the message must be an object, not null/],
        [['{"shell": {"terminal": false}}', '{"line": 5}'], /line must be text, not 5/],
        [['{"shell": {"terminal": false}}', '{"eof": false}'], /eof must be true/],
      ];
      for (const [lines, why] of refused) {
        const replies = (await exchangeLines(socket, lines)).map((l) => JSON.parse(l) as { err?: string; exit?: number });
        const last = replies.at(-1);
        expect({ lines, exit: last?.exit }).toEqual({ lines, exit: 2 });
        expect(last?.err).toMatch(/^Invalid control request: /);
        expect(last?.err).toMatch(why);
      }
      // nothing else changed: the process, its listener and its control socket all still serve
      expect(appliance.child.exitCode).toBeNull();
      expect(await smtpGreeting(appliance.listenerPort)).toMatch(/^220 /);
      expect(await runBinary(['--home', home, 'sethostname'])).toMatchObject({ code: 0, stdout: 'esa1.example.com\n' });
    } finally {
      await appliance.stop();
    }
    expect(appliance.output()).toContain('Appliance stopped.');
  }, 60_000);
});
