import { Appliance } from '../../src/engine/appliance.js';
import { describeChange } from '../../src/engine/config/changes.js';
import { defaultPolicy } from '../../src/engine/config/model.js';
import { UserError } from '../../src/errors.js';
import { tempHome } from '../helpers/scripted.js';

const ADDRESS = 'b5986efe-374c-47a5-aade-b8d98847e1a6@beta.cmd.cisco.com';

function twoSessions() {
  const appliance = new Appliance({ home: tempHome() });
  return { appliance, a: appliance.sessions.open('shell', 'console').config, b: appliance.sessions.open('one-shot', 'socket').config };
}

describe('sessions: each its own pending changes', () => {
  it('keeps pending changes apart both ways; one without changes reads what is committed now', async () => {
    const { appliance, a, b } = twoSessions();
    a.edit((c) => void (c.hostname = 'esa2.example.com'));
    expect(b.pending.hostname).toBe('esa1.example.com');
    expect(b.hasChanges()).toBe(false);
    b.edit((c) => void (c.listener.maxMessageSize = 2048));
    expect(a.pending.listener.maxMessageSize).toBe(10 * 1024 * 1024);
    expect(await b.commit('size')).toMatchObject({ comment: 'size' });
    // a commit of one session leaves the other's pending changes alone
    expect(a.changes().map((c) => c.path)).toEqual(['hostname']);
    expect(appliance.configuration.current.hostname).toBe('esa1.example.com');
    b.edit((c) => void (c.hostname = 'esa3.example.com'));
    b.clear();
    expect(a.hasChanges()).toBe(true);
  });

  it('merges changes to different settings, policies added side by side included', async () => {
    const { appliance, a, b } = twoSessions();
    a.edit((c) => {
      c.hostname = 'esa2.example.com';
      c.incomingPolicies.unshift({ ...defaultPolicy(), name: 'partner', recipients: ['partner.example'], tdc: { mode: 'global' } });
    });
    b.edit((c) => {
      c.tdc = { enabled: true, intakeAddress: ADDRESS };
      c.incomingPolicies.unshift({ ...defaultPolicy(), name: 'executives', recipients: ['ceo@example.com'], tdc: { mode: 'no' } });
      c.incomingPolicies.at(-1)!.antispam = 'off';
    });
    await a.commit('a');
    await b.commit('b');
    const now = appliance.configuration.current;
    expect(now.hostname).toBe('esa2.example.com');
    expect(now.tdc).toEqual({ enabled: true, intakeAddress: ADDRESS });
    expect(now.incomingPolicies.map((p) => p.name)).toEqual(['executives', 'partner', 'DEFAULT']);
    expect(now.incomingPolicies.at(-1)!.antispam).toBe('off');
    expect(b.hasChanges()).toBe(false);
  });

  it('refuses a setting another session changed since, naming it, and keeps the pending changes', async () => {
    const { appliance, a, b } = twoSessions();
    a.edit((c) => void c.incomingPolicies.unshift({ ...defaultPolicy(), name: 'partner', recipients: ['partner.example'], antivirus: 'use-default', tdc: { mode: 'use-default' } }));
    await a.commit('partner');
    a.edit((c) => void (c.incomingPolicies[0]!.antivirus = 'off'));
    b.edit((c) => {
      c.incomingPolicies[0]!.antivirus = 'on';
      c.hostname = 'esa5.example.com';
    });
    await a.commit('a');
    const refused = await b.commit('b').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(UserError);
    expect((refused as UserError).message).toContain('Incoming Mail Policy partner: Anti-Virus');
    expect((refused as UserError).message).not.toContain('Hostname');
    // nothing of b was committed, and b still has all of it to decide on
    expect(appliance.configuration.current.hostname).toBe('esa1.example.com');
    expect(
      b
        .changes()
        .map((c) => c.path)
        .sort(),
    ).toEqual(['hostname', 'incomingPolicies[partner].antivirus']);
  });

  it('does not count the same change made by both as a conflict', async () => {
    const { appliance, a, b } = twoSessions();
    a.edit((c) => void (c.hostname = 'esa9.example.com'));
    b.edit((c) => void (c.hostname = 'esa9.example.com'));
    await a.commit('a');
    await b.commit('b');
    expect(appliance.configuration.current.hostname).toBe('esa9.example.com');
  });

  it('refuses to edit a policy another session deleted', async () => {
    const { a, b } = twoSessions();
    a.edit((c) => void c.incomingPolicies.unshift({ ...defaultPolicy(), name: 'partner', recipients: ['partner.example'] }));
    await a.commit('add');
    b.edit((c) => void (c.incomingPolicies[0]!.antispam = 'off'));
    a.edit((c) => void c.incomingPolicies.shift());
    await a.commit('delete');
    await expect(b.commit('edit')).rejects.toThrow(/Incoming Mail Policy partner/);
  });

  it('shows changes one setting a line, as an operator reads them', () => {
    const { a } = twoSessions();
    a.edit((c) => {
      c.incomingPolicies.unshift({ ...defaultPolicy(), name: 'partner', recipients: ['partner.example'] });
      c.incomingPolicies.at(-1)!.tdc = { mode: 'custom', intakeAddress: ADDRESS };
    });
    expect(a.changes().map(describeChange)).toEqual([
      'Incoming Mail Policy DEFAULT: Threat Defense Connector: global -> custom',
      `Incoming Mail Policy DEFAULT: Threat Defense Connector: custom Message Intake Address: (none) -> ${ADDRESS}`,
      'Incoming Mail Policy partner: added',
    ]);
  });
});
