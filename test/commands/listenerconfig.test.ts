import { listenerconfigCommand } from '../../src/commands/listenerconfig.js';
import { Appliance } from '../../src/engine/appliance.js';
import { expectGolden } from '../helpers/golden.js';
import { runMain } from '../helpers/run-main.js';
import { consoleSession, runScripted, tempHome } from '../helpers/scripted.js';

const edit = (appliance: Appliance, args: string[], flags: Record<string, unknown> = {}) => runScripted(listenerconfigCommand, [], { appliance, args: ['edit', ...args], flags, interactive: false });
const hat = (appliance: Appliance) => consoleSession(appliance).config.pending.listener.hostAccess;

describe('listenerconfig', () => {
  it('EDIT offers the listener settings, HOSTACCESS and RCPTACCESS, as the appliance lists them (golden)', async () => {
    const { transcript, appliance } = await runScripted(listenerconfigCommand, [
      'NEW',
      'EDIT',
      '',
      'HOSTACCESS',
      'NEW',
      'mail.partner.example',
      '127.0.0.2',
      '3',
      'NEW',
      '127.0.0.2',
      '10.1.1.10-20',
      'relay',
      'DEFAULT',
      '1',
      'DELETE',
      '2',
      '',
      'RCPTACCESS',
      'NEW',
      'Partner.example',
      '',
      'LIMITS',
      '2048',
      '',
      '',
    ]);
    expectGolden('listenerconfig.txt', transcript);
    expect(consoleSession(appliance).config.pending.listener).toMatchObject({
      maxMessageSize: 2048,
      acceptDomains: ['example.com', 'partner.example'],
      hostAccess: { entries: [{ sender: '127.0.0.2', behavior: 'REJECT' }], defaultBehavior: 'ACCEPT' },
    });
  });

  it('edits the HAT and the RAT by flags: listenerconfig edit NAME hostaccess|rcptaccess OPERATION', async () => {
    const appliance = new Appliance({ home: tempHome() });
    await edit(appliance, ['IncomingMail', 'hostaccess', 'add'], { sender: '127.0.0.2', behavior: 'reject' });
    await edit(appliance, ['1', 'HOSTACCESS', 'new'], { sender: '10.0.0.0/8', behavior: 'TCPREFUSE' });
    await edit(appliance, ['incomingmail', 'hostaccess', 'default'], { behavior: 'relay' });
    expect(hat(appliance)).toEqual({
      entries: [
        { sender: '127.0.0.2', behavior: 'REJECT' },
        { sender: '10.0.0.0/8', behavior: 'TCPREFUSE' },
      ],
      defaultBehavior: 'RELAY',
    });
    const printed = await edit(appliance, ['IncomingMail', 'hostaccess', 'print']);
    expect(printed.transcript).toBe(
      ['   Host Access Table (HAT):', '     127.0.0.2                        REJECT', '     10.0.0.0/8                       TCPREFUSE', '     ALL                              RELAY', ''].join('\n'),
    );
    // what was accepted stays when a bad value is refused
    await expect(edit(appliance, ['IncomingMail', 'hostaccess', 'add'], { sender: '127.0.0.2', behavior: 'accept' })).rejects.toThrow('The HAT already has an entry for 127.0.0.2: delete it first.');
    await expect(edit(appliance, ['IncomingMail', 'hostaccess', 'add'], { sender: 'mx.example.com', behavior: 'accept' })).rejects.toThrow(
      /^Invalid HAT sender "mx\.example\.com": host names need reverse DNS/,
    );
    await expect(edit(appliance, ['IncomingMail', 'hostaccess', 'add'], { sender: '127.0.0.9', behavior: 'block' })).rejects.toThrow(
      'Invalid HAT behavior "block": enter one of ACCEPT, RELAY, REJECT, TCPREFUSE.',
    );
    await expect(edit(appliance, ['IncomingMail', 'hostaccess', 'add'], { sender: '127.0.0.9' })).rejects.toThrow('hostaccess new needs --behavior BEHAVIOR.');
    await expect(edit(appliance, ['IncomingMail', 'hostaccess', 'delete'], { sender: '127.0.0.9' })).rejects.toThrow('The HAT has no entry for 127.0.0.9.');
    await expect(edit(appliance, ['IncomingMail', 'hostaccess', 'move'])).rejects.toThrow('Unknown hostaccess operation "move": use new, delete, default, print (or add for new).');
    await expect(edit(appliance, ['OutgoingMail', 'hostaccess', 'print'])).rejects.toThrow('No listener "OutgoingMail": the listener is 1. IncomingMail.');
    await expect(edit(appliance, ['IncomingMail', 'masquerade'])).rejects.toThrow('Unknown listener table "masquerade": use hostaccess or rcptaccess.');
    await expect(edit(appliance, ['IncomingMail'])).rejects.toThrow(/^listenerconfig edit needs hostaccess or rcptaccess/);
    await expect(edit(appliance, [])).rejects.toThrow('listenerconfig edit needs the listener: its name or 1.');
    expect(hat(appliance)?.entries).toHaveLength(2);

    await edit(appliance, ['IncomingMail', 'hostaccess', 'delete'], { sender: '127.0.0.2' });
    await edit(appliance, ['IncomingMail', 'hostaccess', 'delete'], { sender: '10.0.0.0/8' });
    await edit(appliance, ['IncomingMail', 'hostaccess', 'default'], { behavior: 'ACCEPT' });
    // back to the default table: no change left
    expect(consoleSession(appliance).config.hasChanges()).toBe(false);

    await edit(appliance, ['IncomingMail', 'rcptaccess', 'new'], { domain: 'Partner.Example' });
    await expect(edit(appliance, ['IncomingMail', 'rcptaccess', 'delete'], { domain: 'other.example' })).rejects.toThrow('The listener does not accept other.example.');
    await expect(edit(appliance, ['IncomingMail', 'rcptaccess', 'default'], { domain: 'x.example' })).rejects.toThrow(/Unknown rcptaccess operation "default"/);
    expect(consoleSession(appliance).config.pending.listener.acceptDomains).toEqual(['example.com', 'partner.example']);
  });

  it('refuses a legacy flag edit whole when one of its domains cannot be removed', async () => {
    const appliance = new Appliance({ home: tempHome() });
    await expect(runScripted(listenerconfigCommand, [], { appliance, flags: { port: '2600', removeDomain: ['nowhere.example'] }, interactive: false })).rejects.toThrow(
      'The listener does not accept nowhere.example.',
    );
    expect(consoleSession(appliance).config.hasChanges()).toBe(false);
  });

  it('commits a HAT row in one-shot runs and prints the table as JSON', async () => {
    const home = tempHome();
    const added = await runMain(['--home', home, 'listenerconfig', 'edit', 'IncomingMail', 'hostaccess', 'add', '--sender', '127.0.0.2', '--behavior', 'reject']);
    expect(added).toMatchObject({ code: 0, stderr: '' });
    expect(added.stdout).toMatch(/^Changes committed:/);
    const json = await runMain(['--home', home, 'listenerconfig', 'edit', '1', 'hostaccess', 'print', '--json']);
    expect(JSON.parse(json.stdout)).toEqual({ entries: [{ sender: '127.0.0.2', behavior: 'REJECT' }], defaultBehavior: 'ACCEPT' });
    const listed = await runMain(['--home', home, 'listenerconfig']);
    expect(listed.stdout).toContain('1. IncomingMail (on Management, 127.0.0.1) SMTP TCP Port 2525 Public\n');
    expect(listed.stdout).toContain('     127.0.0.2                        REJECT\n     ALL                              ACCEPT\n');
    const stray = await runMain(['--home', home, 'listenerconfig', 'edit', 'IncomingMail', 'hostaccess', 'add', '--domain', 'x.example']);
    expect(stray).toMatchObject({ code: 2 });
    expect(stray.stderr).toContain('hostaccess new needs --sender PATTERN.');
  });
});
