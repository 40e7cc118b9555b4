import { once } from 'node:events';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { startAppliance } from '../../src/cli/run-appliance.js';
import { interfaceconfigCommand } from '../../src/commands/interfaceconfig.js';
import { commandRegistry } from '../../src/commands/registry.js';
import { Appliance } from '../../src/engine/appliance.js';
import { smtpGreeting } from '../helpers/headless.js';
import { consoleSession, labHome, runScripted } from '../helpers/scripted.js';

async function hold(): Promise<{ server: Server; port: number }> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as AddressInfo).port };
}

async function freePort(): Promise<number> {
  const { server, port } = await hold();
  await new Promise((r) => server.close(r));
  return port;
}

const set = (appliance: Appliance, flags: Record<string, string>) => runScripted(interfaceconfigCommand, [], { appliance, flags });

describe("the lab servers' ports, set by interfaceconfig", () => {
  it('a committed port moves the running lab mail server and SETD emulator; a port in use is refused at commit, by name', async () => {
    const appliance = new Appliance({ home: labHome() });
    const running = await startAppliance(appliance, commandRegistry());
    const held = await hold();
    try {
      const [mail, setd] = [await freePort(), await freePort()];
      await set(appliance, { mailServerPort: String(mail), setdPort: String(setd) });
      await consoleSession(appliance).config.commit('move the lab servers');
      expect(await smtpGreeting(mail)).toMatch(/^220 /);
      await expect.poll(() => running.setd?.address().port).toBe(setd);
      expect(await smtpGreeting(setd)).toMatch(/^220 .*intake/);
      expect(running.engine.labMailServerAddress().port).toBe(mail);

      await set(appliance, { mailServerPort: String(held.port) });
      await expect(consoleSession(appliance).config.commit('taken')).rejects.toThrow(
        `The lab mail server cannot listen on 127.0.0.1:${held.port} (EADDRINUSE); it keeps listening on 127.0.0.1:${mail}.`,
      );
      consoleSession(appliance).config.clear();
      await set(appliance, { setdPort: String(held.port) });
      await expect(consoleSession(appliance).config.commit('taken')).rejects.toThrow(`The SETD emulator cannot listen on 127.0.0.1:${held.port} (EADDRINUSE).`);
      consoleSession(appliance).config.clear();
      expect(appliance.configuration.current.lab).toMatchObject({ mailServerPort: mail, setdPort: setd });

      // another part's port, out of range: the operation refuses, nothing pending
      await expect(set(appliance, { setdPort: String(mail) })).rejects.toThrow(`Invalid SETD emulator port "${mail}": port ${mail} is the lab mail server's.`);
      await expect(set(appliance, { mailServerPort: '70000' })).rejects.toThrow(/from 0 to 65535/);
      expect(consoleSession(appliance).config.hasChanges()).toBe(false);
      const shown = await runScripted(interfaceconfigCommand, [], { appliance, interactive: false });
      expect(shown.transcript).toContain(`Lab mail server exchange.lab: port ${mail}`);
      expect(shown.transcript).toContain(`SETD emulator: port ${setd}`);
    } finally {
      held.server.close();
      await running.stop();
    }
  });

  it('stopped, a port in use is refused at commit; at start, a port taken is said by the part that wanted it', async () => {
    const appliance = new Appliance({ home: labHome() });
    const held = await hold();
    try {
      await set(appliance, { setdPort: String(held.port) });
      await expect(consoleSession(appliance).config.commit('taken')).rejects.toThrow(`The SETD emulator cannot listen on 127.0.0.1:${held.port} (EADDRINUSE).`);
      consoleSession(appliance).config.clear();
      // taken after it was committed: the start says which part and port
      const free = await freePort();
      await set(appliance, { mailServerPort: String(free) });
      await consoleSession(appliance).config.commit('free now');
      const taker = createServer().listen(free, '127.0.0.1');
      await once(taker, 'listening');
      try {
        await expect(startAppliance(appliance, commandRegistry())).rejects.toThrow(`The lab mail server cannot listen on 127.0.0.1:${free} (EADDRINUSE).`);
      } finally {
        taker.close();
      }
    } finally {
      held.server.close();
    }
  });

  it('a bad shared-setd.json (the lab cluster SETD a home journals to) is named, and the appliance does not start', async () => {
    const home = labHome();
    writeFileSync(join(home, 'shared-setd.json'), '{"lab": 5}');
    const appliance = new Appliance({ home });
    await expect(startAppliance(appliance, commandRegistry())).rejects.toThrow(`The file ${home}/shared-setd.json (the lab cluster's SETD this appliance journals to) is not valid`);
    expect(existsSync(appliance.paths.lock)).toBe(false);
    writeFileSync(join(home, 'shared-setd.json'), '{"lab": "/nowhere"}');
    await expect(startAppliance(appliance, commandRegistry())).rejects.toThrow('/nowhere is not a lab cluster: it has no lab-cluster.json');
  });

  it('the dialog: MAILSERVER asks the port again until the operation takes one', async () => {
    const appliance = new Appliance({ home: labHome((c) => void (c.listener.port = 2999)) });
    const { transcript } = await runScripted(interfaceconfigCommand, ['MAILSERVER', '2999', '3001'], { appliance });
    expect(transcript).toContain('- MAILSERVER - Modify the port of the lab mail server (exchange.lab).');
    expect(transcript).toContain("That value is not valid: port 2999 is listener IncomingMail's.");
    expect(consoleSession(appliance).config.pending.lab.mailServerPort).toBe(3001);
  });
});
