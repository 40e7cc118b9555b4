import { statSync, writeFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { forwardToAppliance, serveControlSocket } from '../../src/cli/control-socket.js';
import { commandRegistry } from '../../src/commands/registry.js';
import { Appliance } from '../../src/engine/appliance.js';
import { HomeLock } from '../../src/engine/lock.js';
import { tempHome } from '../helpers/scripted.js';

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
      expect(err.text()).toContain('Unknown command: "nosuch"');
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
