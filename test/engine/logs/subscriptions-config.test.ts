import { readFileSync, writeFileSync } from 'node:fs';
import { Appliance } from '../../../src/engine/appliance.js';
import { configProblems } from '../../../src/engine/config/check.js';
import { defaultConfig, effectiveLogSubscriptions, logFilePrefix, type LogSubscription } from '../../../src/engine/config/model.js';
import { tempHome } from '../../helpers/scripted.js';

const custom: LogSubscription = {
  name: 'siem_mail',
  type: 'mail_logs',
  level: 'debug',
  maxFileBytes: 4096,
  maxFiles: 3,
  retrieval: { method: 'syslog', host: '127.0.0.1', port: 514, protocol: 'tcp', facility: 'mail' },
};

describe('log subscriptions in the configuration', () => {
  it('a configuration without any runs the four default subscriptions with AsyncOS defaults', () => {
    const subs = effectiveLogSubscriptions(defaultConfig());
    expect(subs.map((s) => [s.name, s.type, s.level, s.maxFileBytes, s.maxFiles, s.retrieval.method])).toEqual([
      ['mail_logs', 'mail_logs', 'information', 10485760, 10, 'manual'],
      ['system_logs', 'system_logs', 'information', 10485760, 10, 'manual'],
      ['authentication', 'authentication', 'information', 10485760, 10, 'manual'],
      ['gui_logs', 'gui_logs', 'information', 10485760, 10, 'manual'],
    ]);
    expect(subs.map(logFilePrefix)).toEqual(['mail', 'system', 'authentication', 'gui']);
    expect(logFilePrefix(custom)).toBe('siem_mail');
  });

  it('a configuration with its own list runs that list', () => {
    expect(effectiveLogSubscriptions({ ...defaultConfig(), logSubscriptions: [custom] })).toEqual([custom]);
    expect(configProblems({ ...defaultConfig(), logSubscriptions: [custom] })).toEqual([]);
  });

  it('refuses a bad subscription, naming what is wrong', () => {
    const bad = (sub: Record<string, unknown>) => configProblems({ ...defaultConfig(), logSubscriptions: [{ ...custom, ...sub }] }).join('\n');
    expect(bad({ name: 'mail logs' })).toMatch(/logSubscriptions\[0\]\.name/);
    expect(bad({ level: 'loud' })).toMatch(/logSubscriptions\[0\]\.level/);
    expect(bad({ retrieval: { method: 'syslog', host: 'x', port: 514, protocol: 'sctp', facility: 'mail' } })).toMatch(/logSubscriptions\[0\]\.retrieval/);
    expect(configProblems({ ...defaultConfig(), logSubscriptions: [custom, { ...custom, name: 'SIEM_MAIL' }] })).toEqual(['log subscription "SIEM_MAIL" appears twice']);
  });

  it('a commit stores the list and a new start reads it back', async () => {
    const home = tempHome();
    const session = new Appliance({ home }).sessions.open('shell', 'console');
    session.config.edit((c) => void (c.logSubscriptions = [...effectiveLogSubscriptions(c), custom]));
    await session.config.commit('add siem_mail');
    expect(JSON.parse(readFileSync(`${home}/config.json`, 'utf8')).logSubscriptions.at(-1)).toEqual(custom);
    expect(effectiveLogSubscriptions(new Appliance({ home }).configuration.current).map((s) => s.name)).toEqual(['mail_logs', 'system_logs', 'authentication', 'gui_logs', 'siem_mail']);
    const stored = JSON.parse(readFileSync(`${home}/config.json`, 'utf8'));
    stored.logSubscriptions[0].maxFiles = 0;
    writeFileSync(`${home}/config.json`, JSON.stringify(stored));
    expect(() => new Appliance({ home })).toThrow(/logSubscriptions\[0\]\.maxFiles/);
  });

  it("a running appliance's logs follow a commit: a new subscription begins, a changed level applies to the next line, a deleted one stops", async () => {
    const home = tempHome();
    const appliance = new Appliance({ home });
    const session = appliance.sessions.open('shell', 'console');
    appliance.logs.write('mail_logs', 'Info', 'before');
    session.config.edit((c) => void (c.logSubscriptions = [...effectiveLogSubscriptions(c), custom]));
    await session.config.commit('add siem_mail');
    appliance.logs.write('mail_logs', 'Debug', 'a debug line');
    appliance.logs.write('mail_logs', 'Info', 'after');
    session.config.edit(
      (c) =>
        void (c.logSubscriptions = effectiveLogSubscriptions(c)
          .map((s) => (s.name === 'mail_logs' ? { ...s, level: 'debug' as const } : s))
          .filter((s) => s.name !== 'siem_mail')),
    );
    await session.config.commit('mail_logs at debug, siem_mail deleted');
    appliance.logs.write('mail_logs', 'Debug', 'debug now');
    appliance.logs.flush();
    const text = (file: string) => readFileSync(`${home}/logs/${file}`, 'utf8');
    expect(text('mail_logs/mail.current')).toMatch(/Info: before\n.*Info: after\n.*Debug: debug now\n$/);
    expect(text('mail_logs/mail.current')).not.toContain('a debug line');
    expect(text('siem_mail/siem_mail.current')).toMatch(/Debug: a debug line\n.*Info: after\n$/);
    expect(appliance.logs.subscriptions.map((s) => s.name)).toEqual(['mail_logs', 'system_logs', 'authentication', 'gui_logs']);
  });
});
