import { readFileSync, writeFileSync } from 'node:fs';
import { Appliance } from '../../src/engine/appliance.js';
import { UserError } from '../../src/errors.js';
import { tempHome } from '../helpers/scripted.js';

describe('configuration store and commit model', () => {
  it('a fresh home is a working lab', () => {
    const config = new Appliance({ home: tempHome() }).configuration.current;
    expect(config.hostname).toBe('esa1.example.com');
    expect(config.listener).toMatchObject({ name: 'IncomingMail', bindAddress: '127.0.0.1', port: 2525, acceptDomains: ['example.com'] });
    expect(config.tdc).toEqual({ enabled: false, intakeAddress: null });
    expect(config.incomingPolicies.map((p) => [p.name, p.tdc.mode])).toEqual([['DEFAULT', 'global']]);
    expect(config.smtpRoutes[0]).toEqual({ domain: 'example.com', destinations: ['exchange.lab:25'] });
  });

  it('keeps edits pending until commit, and clear discards them', async () => {
    const home = tempHome();
    const a = new Appliance({ home }).sessions.open('shell', 'console');
    a.config.edit((c) => void (c.hostname = 'esa2.example.com'));
    expect(a.config.changes()).toEqual([{ path: 'hostname', segments: ['hostname'], before: 'esa1.example.com', after: 'esa2.example.com' }]);
    expect(new Appliance({ home }).configuration.current.hostname).toBe('esa1.example.com');
    expect(a.config.clear()).toBe(true);
    a.config.edit((c) => void (c.hostname = 'esa3.example.com'));
    expect(await a.config.commit('rename')).toMatchObject({ comment: 'rename' });
    expect(new Appliance({ home }).configuration.current.hostname).toBe('esa3.example.com');
    expect(await a.config.commit('again')).toBeNull();
  });

  it('refuses an edit that breaks the rules and keeps the pending copy', () => {
    const a = new Appliance({ home: tempHome() }).sessions.open('shell', 'console');
    expect(() => a.config.edit((c) => void (c.tdc.enabled = true))).toThrow(/TDC is enabled without an intake address/);
    expect(a.config.hasChanges()).toBe(false);
  });

  it('never overwrites a corrupt file and names it', () => {
    const home = tempHome();
    new Appliance({ home });
    writeFileSync(`${home}/config.json`, '{"hostname": ');
    expect(() => new Appliance({ home })).toThrow(UserError);
    expect(() => new Appliance({ home })).toThrow(new RegExp(`${home}/config.json is corrupt`));
    expect(readFileSync(`${home}/config.json`, 'utf8')).toBe('{"hostname": ');
  });

  it('refuses a file that fails the schema, naming the problem', () => {
    const home = tempHome();
    new Appliance({ home });
    const stored = JSON.parse(readFileSync(`${home}/config.json`, 'utf8'));
    stored.listener.port = 'twenty-five';
    writeFileSync(`${home}/config.json`, JSON.stringify(stored));
    expect(() => new Appliance({ home })).toThrow(/config.json is not valid: listener\.port must be a whole number, not /);
  });
});
