import { sethostnameCommand } from '../../src/commands/sethostname.js';
import { tdcconfigCommand } from '../../src/commands/tdcconfig.js';
import { Appliance } from '../../src/engine/appliance.js';
import { commitEdit, consoleSession, runScripted, tempHome } from '../helpers/scripted.js';

const ADDRESS = 'b5986efe@beta.cmd.cisco.com';

describe('a session with changes pending reads what is committed now, its own changes on top', () => {
  it('a shell with a pending hostname sees TDC enabled once another session commits it; its changes stay its own', async () => {
    const appliance = new Appliance({ home: tempHome() });
    await runScripted(sethostnameCommand, ['esa2.example.com'], { appliance });
    await commitEdit(appliance, (c) => void (c.tdc = { enabled: true, intakeAddress: ADDRESS }));
    const shown = await runScripted(tdcconfigCommand, [], { appliance, flags: { json: true }, interactive: false });
    expect(JSON.parse(shown.transcript)).toEqual({ enabled: true, intakeAddress: ADDRESS });
    const mine = consoleSession(appliance).config;
    expect(mine.pending.hostname).toBe('esa2.example.com');
    expect(mine.changes().map((c) => c.path)).toEqual(['hostname']);
    await mine.commit('hostname');
    expect(appliance.configuration.current).toMatchObject({ hostname: 'esa2.example.com', tdc: { enabled: true, intakeAddress: ADDRESS } });
  });

  it('a clash shows this session its own value, an edit after it adds only that edit, and the commit still refuses the setting by name', async () => {
    const appliance = new Appliance({ home: tempHome() });
    const mine = appliance.sessions.open('shell', 'console').config;
    mine.edit((c) => void (c.hostname = 'esa2.example.com'));
    await commitEdit(appliance, (c) => {
      c.hostname = 'esa3.example.com';
      c.tdc.intakeAddress = ADDRESS;
    });
    expect(mine.pending.hostname).toBe('esa2.example.com');
    expect(mine.pending.tdc.intakeAddress).toBe(ADDRESS);
    mine.edit((c) => void (c.listener.maxMessageSize = 2048));
    expect(mine.changes().map((c) => c.path)).toEqual(['hostname', 'listener.maxMessageSize']);
    await expect(mine.commit('clash')).rejects.toThrow(/Another session committed a change to Hostname/);
    expect(appliance.configuration.current.hostname).toBe('esa3.example.com');
    mine.clear();
    expect(mine.pending).toBe(appliance.configuration.current);
  });

  it('changes another session committed exactly as this one made them leave nothing pending', async () => {
    const appliance = new Appliance({ home: tempHome() });
    const mine = appliance.sessions.open('shell', 'console').config;
    mine.edit((c) => void (c.hostname = 'esa9.example.com'));
    await commitEdit(appliance, (c) => void (c.hostname = 'esa9.example.com'));
    expect(mine.hasChanges()).toBe(false);
    expect(mine.changes()).toEqual([]);
  });
});
