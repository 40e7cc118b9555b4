import { destconfigCommand } from '../../src/commands/destconfig.js';
import { listenerconfigCommand } from '../../src/commands/listenerconfig.js';
import { smtproutesCommand } from '../../src/commands/smtproutes.js';
import { Appliance } from '../../src/engine/appliance.js';
import { consoleSession, runScripted, tempHome } from '../helpers/scripted.js';

const run = (spec: Parameters<typeof runScripted>[0], appliance: Appliance, flags: Record<string, unknown>) => runScripted(spec, [], { appliance, flags, interactive: false });

describe('listenerconfig, smtproutes, destconfig', () => {
  it('listenerconfig changes the listener and the RAT by flags and by dialog', async () => {
    const appliance = new Appliance({ home: tempHome() });
    await run(listenerconfigCommand, appliance, { acceptDomain: ['partner.example', '.sub.example.org'], port: '2600', maxMessageSize: '2048' });
    expect(consoleSession(appliance).config.pending.listener).toMatchObject({ port: 2600, maxMessageSize: 2048, acceptDomains: ['example.com', 'partner.example', '.sub.example.org'] });
    await expect(run(listenerconfigCommand, appliance, { port: '70000' })).rejects.toThrow(/from 0 to 65535/);
    await expect(run(listenerconfigCommand, appliance, { bind: '10.0.0.x' })).rejects.toThrow(/Invalid bind address/);
    await expect(run(listenerconfigCommand, appliance, { acceptDomain: ['user@example.com'] })).rejects.toThrow(/Invalid RAT entry/);
    const { transcript } = await runScripted(listenerconfigCommand, ['EDIT', '1', 'RCPTACCESS', 'DELETE', '2', '', '', ''], { appliance });
    expect(transcript).toContain('1. IncomingMail (on Management, 127.0.0.1) SMTP TCP Port 2600 Public');
    expect(transcript).toContain('ALL                              REJECT  (All Other Recipients)');
    expect(consoleSession(appliance).config.pending.listener.acceptDomains).toEqual(['example.com', '.sub.example.org']);
  });

  it('smtproutes adds, replaces and deletes routes, /dev/null alone', async () => {
    const appliance = new Appliance({ home: tempHome() });
    await run(smtproutesCommand, appliance, { add: 'partner.example', dest: ['exchange.lab:25'] });
    await run(smtproutesCommand, appliance, { add: '.junk.example', dest: ['/dev/null'] });
    await expect(run(smtproutesCommand, appliance, { add: 'x.example', dest: ['/dev/null', 'a.example'] })).rejects.toThrow(/only destination/);
    await expect(run(smtproutesCommand, appliance, { add: 'x.example', dest: ['bad host'] })).rejects.toThrow(/Invalid destination/);
    await expect(run(smtproutesCommand, appliance, { add: 'x.example' })).rejects.toThrow(/at least one destination/);
    await expect(run(smtproutesCommand, appliance, { dest: ['exchange.lab'] })).rejects.toThrow('--dest needs --add DOMAIN.');
    const { transcript } = await run(smtproutesCommand, appliance, { list: true });
    expect(transcript).toContain('.junk.example                  /dev/null');
    await run(smtproutesCommand, appliance, { delete: 'partner.example' });
    await expect(run(smtproutesCommand, appliance, { delete: 'partner.example' })).rejects.toThrow(/no route/);
    await runScripted(smtproutesCommand, ['NEW', 'lab.example', '127.0.0.1:2600, exchange.lab', ''], { appliance });
    expect(consoleSession(appliance).config.pending.smtpRoutes.at(-1)).toEqual({ domain: 'lab.example', destinations: ['127.0.0.1:2600', 'exchange.lab'] });
  });

  it("smtproutes says a refused route in each front end's words: a flag hint, the dialog's EDIT", async () => {
    const appliance = new Appliance({ home: tempHome() });
    await expect(run(smtproutesCommand, appliance, { add: 'x.example' })).rejects.toThrow('A route needs at least one destination host (or /dev/null): give --dest.');
    await run(smtproutesCommand, appliance, { add: 'partner.example', dest: ['exchange.lab:25'] });
    const { transcript } = await runScripted(smtproutesCommand, ['NEW', 'partner.example', 'exchange.lab', ''], { appliance });
    expect(transcript).toContain('There is already a route for partner.example: use EDIT.\n');
    expect(transcript).not.toContain('--add');
  });

  it('destconfig sets limits per domain with range checks', async () => {
    const appliance = new Appliance({ home: tempHome() });
    await run(destconfigCommand, appliance, { domain: 'the.tdc.queue', maxConnections: '5' });
    expect(consoleSession(appliance).config.pending.destinationControls.at(-1)).toEqual({ domain: 'the.tdc.queue', maxConnections: 5, maxMessagesPerConnection: 50 });
    await expect(run(destconfigCommand, appliance, { domain: 'example.com', maxMessages: '0' })).rejects.toThrow(/from 1 to 1000/);
    await expect(run(destconfigCommand, appliance, { delete: 'Default' })).rejects.toThrow(/cannot be deleted/);
    await runScripted(destconfigCommand, ['DEFAULT', '1001', '100', '10', ''], { appliance });
    expect(consoleSession(appliance).config.pending.destinationControls[0]).toEqual({ domain: 'Default', maxConnections: 100, maxMessagesPerConnection: 10 });
  });

  it('destconfig says a refusal in each front end\'s words: a flag hint for Default, the dialog\'s "That value is not valid"', async () => {
    const appliance = new Appliance({ home: tempHome() });
    await expect(run(destconfigCommand, appliance, { delete: 'default' })).rejects.toThrow('The Default entry cannot be deleted: change its limits with --domain Default.');
    await expect(run(destconfigCommand, appliance, { domain: 'not a domain', maxConnections: '5' })).rejects.toThrow('Invalid domain "not a domain": enter a domain.');
    await expect(run(destconfigCommand, appliance, { delete: 'nowhere.example' })).rejects.toThrow('nowhere.example was not found in the destination control table.');
    const { transcript } = await runScripted(destconfigCommand, ['NEW', 'not a domain', 'Partner.Example', '7', '', 'DELETE', '1', ''], { appliance });
    expect(transcript).toContain('That value is not valid: enter a domain.\n');
    expect(transcript).toContain('partner.example                        7             50');
    expect(transcript).not.toContain('--domain');
    expect(consoleSession(appliance).config.pending.destinationControls.map((c) => c.domain)).toEqual(['Default']);
  });
});
