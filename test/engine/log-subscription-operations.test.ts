import { Appliance } from '../../src/engine/appliance.js';
import { effectiveLogSubscriptions } from '../../src/engine/config/model.js';
import { ConfigSession } from '../../src/engine/config/session.js';
import { deleteLogSubscription, editLogSubscription, newLogSubscription } from '../../src/engine/operations/log-subscriptions.js';
import { SettingError } from '../../src/engine/operations/setting-error.js';
import { tempHome } from '../helpers/scripted.js';

/** What an operation throws: the setting's key and the problem in words no front end owns. */
function refusal(work: () => void): { setting: string; problem: string; value?: string; missing: boolean } {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(SettingError);
    const { setting, problem, value, missing } = error as SettingError;
    expect(problem).not.toMatch(/--|That value is not valid|^Invalid/);
    return { setting, problem, value, missing };
  }
  throw new Error('the operation did not refuse');
}

describe('log subscription operations: one rule, neutral words, the setting named', () => {
  let editor: { session: { config: ConfigSession } };
  beforeEach(() => {
    const appliance = new Appliance({ home: tempHome() });
    editor = { session: { config: new ConfigSession(appliance.configuration, 'test') } };
  });
  const subs = () => effectiveLogSubscriptions(editor.session.config.pending);
  const push = (change: Record<string, unknown>) => () => editLogSubscription(editor, 'mail_logs', { retrieval: { method: 'syslog', host: '127.0.0.1', ...change } });

  it('names the setting of each refused value, and a refusal changes nothing', () => {
    expect(refusal(push({ port: 0 }))).toMatchObject({ setting: 'log.syslog.port', value: '0' });
    expect(refusal(push({ port: '5x' }))).toMatchObject({ setting: 'log.syslog.port', value: '5x' });
    expect(refusal(push({ protocol: 'sctp' }))).toMatchObject({ setting: 'log.syslog.protocol', value: 'sctp' });
    expect(refusal(push({ facility: 'kern' }))).toMatchObject({ setting: 'log.syslog.facility', value: 'kern' });
    expect(refusal(push({ host: '-bad-' }))).toMatchObject({ setting: 'log.syslog.host', value: '-bad-' });
    expect(refusal(() => editLogSubscription(editor, 'mail_logs', { retrieval: { method: 'syslog' } }))).toMatchObject({ setting: 'log.syslog.host', missing: true });
    expect(refusal(() => editLogSubscription(editor, 'mail_logs', { level: 'verbose' }))).toMatchObject({ setting: 'log.level', value: 'verbose' });
    expect(refusal(() => editLogSubscription(editor, 'mail_logs', { maxFiles: 0 }))).toMatchObject({ setting: 'log.maxFiles', value: '0' });
    expect(refusal(() => editLogSubscription(editor, 'mail_logs', { maxFileBytes: 10 }))).toMatchObject({ setting: 'log.maxFileBytes', value: '10' });
    expect(refusal(() => newLogSubscription(editor, 'bounces', 'b'))).toMatchObject({ setting: 'log.type', value: 'bounces' });
    expect(refusal(() => newLogSubscription(editor, 'gui_logs', 'GUI_LOGS'))).toMatchObject({ setting: 'log.name', problem: "Log name 'GUI_LOGS' already in use" });
    expect(refusal(() => editLogSubscription(editor, 'authentication', { retrieval: { method: 'syslog', host: 'siem' } }))).toMatchObject({ setting: 'log.retrieval' });
    expect(refusal(() => deleteLogSubscription(editor, 'none'))).toMatchObject({ setting: 'log' });
    expect(editor.session.config.hasChanges()).toBe(false);
  });

  it('keeps the host, protocol and facility of a push when only one of them changes', () => {
    push({ port: 1514, protocol: 'tcp', facility: 'local4' })();
    editLogSubscription(editor, 'mail_logs', { retrieval: { method: 'syslog', facility: 'mail' } });
    expect(subs().find((s) => s.name === 'mail_logs')!.retrieval).toEqual({ method: 'syslog', host: '127.0.0.1', port: 1514, protocol: 'tcp', facility: 'mail' });
  });

  it('deletes a default subscription as the appliance does, and makes it again', () => {
    deleteLogSubscription(editor, 'gui_logs');
    expect(subs().map((s) => s.name)).toEqual(['mail_logs', 'system_logs', 'authentication']);
    newLogSubscription(editor, 'gui_logs', 'gui_logs');
    expect(subs().map((s) => s.name)).toEqual(['mail_logs', 'system_logs', 'authentication', 'gui_logs']);
  });
});
