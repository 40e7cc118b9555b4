import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Shell } from '../../src/cli/execute.js';
import { commandRegistry } from '../../src/commands/registry.js';
import { setAdminPassword } from '../../src/engine/admin-account.js';
import { Appliance } from '../../src/engine/appliance.js';
import { ensureHostKey } from '../../src/ssh/host-key.js';
import { startSshServer, type SshServer } from '../../src/ssh/server.js';
import { describeTerminal } from '../helpers/pty.js';
import { labHome } from '../helpers/scripted.js';
import { sshTerminal, TEST_PASSWORD } from '../helpers/ssh.js';

let appliance: Appliance;
let server: SshServer;

beforeAll(async () => {
  appliance = new Appliance({ home: labHome() });
  await setAdminPassword(appliance.paths, TEST_PASSWORD);
  const registry = commandRegistry();
  const { key } = await ensureHostKey(appliance.paths.root);
  // a login idle for two seconds ends, as the NOTE says of 30 minutes
  server = await startSshServer(appliance, { port: 0, hostKey: key, idleMs: 2000, openShell: (request) => new Shell({ ...request, appliance, registry }) });
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

const authLog = () => {
  const file = join(appliance.paths.logs, 'authentication', 'authentication.current');
  return existsSync(file) && statSync(file).isFile() ? readFileSync(file, 'utf8') : '';
};

describeTerminal('the idle timeout of an SSH login', () => {
  it('ends a login left idle, its uncommitted changes dropped, logged as an inactivity logout; typing keeps it open', async () => {
    const term = await sshTerminal(server.port);
    await term.expectText('esa1.example.com> ');
    term.type('sethostname idle.example.com');
    // typing within the timeout keeps the login
    for (let i = 0; i < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      term.key('x\u007f');
    }
    expect(appliance.sessions.list()).toHaveLength(1);
    expect(await term.exited).toBe(0);
    expect(term.plain()).toContain('This session expired after being idle');
    expect(appliance.sessions.list()).toEqual([]);
    expect(appliance.configuration.current.hostname).toBe('esa1.example.com');
    await expect.poll(authLog).toMatch(/CLI: User admin logged out from 127\.0\.0\.1 because of inactivity timeout/);
  });
});
