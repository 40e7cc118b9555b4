import { PassThrough } from 'node:stream';
import { attachShell, connectControl, forwardToAppliance, serveControlSocket } from '../../src/cli/control-socket.js';
import type { LineIO } from '../../src/conversation/line-io.js';
import { commandRegistry } from '../../src/commands/registry.js';
import { Appliance } from '../../src/engine/appliance.js';
import { waitFor } from '../helpers/engine.js';
import { tempHome } from '../helpers/scripted.js';

/** A terminal at the other end of the control socket: lines are typed by the test. */
function typist(): LineIO & { type(line: string | null): void; screen(): string; prompted(): number } {
  let screen = '';
  let prompts = 0;
  const typed: (string | null)[] = [];
  let waiting: ((line: string | null) => void) | null = null;
  return {
    write: (text) => void (screen += text),
    frame: (text) => void (screen += `${text}\n`),
    readLine(prompt) {
      screen += prompt;
      prompts++;
      if (typed.length > 0) return Promise.resolve(typed.shift()!);
      return new Promise((resolve) => (waiting = resolve));
    },
    type(line) {
      if (line !== null) screen += `${line}\n`;
      const w = waiting;
      waiting = null;
      if (w) w(line);
      else typed.push(line);
    },
    screen: () => screen,
    prompted: () => prompts,
  };
}

async function oneShot(socket: string, argv: string[]) {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (d) => (stdout += d));
  err.on('data', (d) => (stderr += d));
  const code = await forwardToAppliance(socket, argv, { stdout: out, stderr: err });
  return { code, stdout, stderr };
}

async function attached(appliance: Appliance) {
  const socket = await connectControl(appliance.paths.socket);
  const front = typist();
  const shell = attachShell(socket!, front, true);
  await waitFor(() => front.screen().trimEnd().endsWith('esa1.example.com>'));
  /** types a line and waits until the shell is back at its prompt */
  const run = async (line: string) => {
    const before = front.prompted();
    front.type(line);
    await waitFor(() => front.prompted() > before);
  };
  return { front, shell, run };
}

describe('sessions on a running appliance', () => {
  it('a shell attached over the control socket keeps its changes; one-shot commands neither commit nor see them', async () => {
    const appliance = new Appliance({ home: tempHome() });
    const server = await serveControlSocket(appliance, commandRegistry(), () => 'attached for the test');
    try {
      const { front, shell, run } = await attached(appliance);
      expect(front.screen()).toContain('attached for the test');
      await run('sethostname esa2.example.com');
      // a read-only one-shot from another terminal commits nothing
      expect((await oneShot(appliance.paths.socket, ['sethostname'])).stdout).toBe('esa1.example.com\n');
      expect((await oneShot(appliance.paths.socket, ['tdcconfig', '--json'])).code).toBe(0);
      expect(appliance.configuration.current.hostname).toBe('esa1.example.com');
      // --dry-run shows its own change only
      const dry = await oneShot(appliance.paths.socket, ['listenerconfig', '--max-message-size', '2048', '--dry-run']);
      expect(dry.stdout).toContain('Listener: maximum message size: 10485760 -> 2048');
      expect(dry.stdout).not.toContain('Hostname');
      // a one-shot commit of another setting merges under the shell's pending change
      expect((await oneShot(appliance.paths.socket, ['listenerconfig', '--max-message-size', '4096'])).stdout).toMatch(/^Changes committed:/);
      await run('showchanges');
      expect(front.screen()).toContain('Hostname: esa1.example.com -> esa2.example.com');
      expect(front.screen()).not.toContain('maximum message size');
      await run('commit --comment mine');
      expect(appliance.configuration.current).toMatchObject({ hostname: 'esa2.example.com', listener: { maxMessageSize: 4096 } });

      // a conflicting commit is refused by name, and the shell keeps its change
      await run('sethostname esa3.example.com');
      expect((await oneShot(appliance.paths.socket, ['sethostname', 'esa4.example.com'])).code).toBe(0);
      await run('commit --comment late');
      expect(front.screen()).toContain('Another session committed a change to Hostname');
      expect(appliance.configuration.current.hostname).toBe('esa4.example.com');
      await run('showchanges');
      expect(front.screen()).toContain('Hostname: esa2.example.com -> esa3.example.com');

      // who: the attached shell, and the one-shot asking
      const who = await oneShot(appliance.paths.socket, ['who']);
      expect(who.stdout).toMatch(/\nUsername +Role +Login Time +Idle Time +Remote Host +What\n/);
      expect(who.stdout).toMatch(/\nadmin +Administrator +\d\d:\d\d[AP]M +\d+s +socket +CLI\n/);
      expect(who.stdout).toMatch(/\nadmin +Administrator .* socket +CLI \(one-shot\)\n/);

      // end of input (Ctrl-D) with pending changes asks, as quit does
      front.type(null);
      await waitFor(() => front.screen().includes('Are you sure you wish to exit? [N]>'));
      front.type('Y');
      await shell.done;
      expect(appliance.sessions.list()).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('lists a running one-shot in who, and tells an attached shell when the appliance stops', async () => {
    const appliance = new Appliance({ home: tempHome() });
    const server = await serveControlSocket(appliance, commandRegistry());
    const { front, shell, run } = await attached(appliance);
    const controller = new AbortController();
    const running = forwardToAppliance(appliance.paths.socket, ['tail', 'mail_logs'], { stdout: new PassThrough(), stderr: new PassThrough() }, controller.signal);
    await waitFor(() => appliance.sessions.list().some((s) => s.running === 'tail mail_logs'));
    await run('who');
    expect(front.screen()).toMatch(/\nadmin +Administrator .* socket +CLI\n/);
    expect(front.screen()).toMatch(/ socket +CLI \(one-shot\)\n/);
    controller.abort();
    expect(await running).toBe(130);
    await server.close();
    await shell.done;
    expect(front.screen()).toContain('stopped; this session is closed.');
  });
});
