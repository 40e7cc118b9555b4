import { readFileSync } from 'node:fs';
import { logconfigCommand, parseSyslogTarget } from '../../src/commands/logconfig.js';
import { effectiveLogSubscriptions } from '../../src/engine/config/model.js';
import { expectGolden } from '../helpers/golden.js';
import { runBinary } from '../helpers/run-main.js';
import { consoleSession, labHome, runScripted } from '../helpers/scripted.js';

const subsOf = (appliance: Parameters<typeof consoleSession>[0]) => effectiveLogSubscriptions(consoleSession(appliance).config.pending);
const byName = (appliance: Parameters<typeof consoleSession>[0], name: string) => subsOf(appliance).find((s) => s.name === name);

describe('logconfig', () => {
  it('walks the dialog: a new syslog-pushed subscription (bad answers asked again), an edit back to manual, a delete (golden transcript)', async () => {
    const { transcript, appliance } = await runScripted(logconfigCommand, [
      'new',
      '1', // IronPort Text Mail Logs
      'mail logs',
      'MAIL_LOGS',
      'siem_mail',
      '4', // Debug
      '2', // Syslog Push
      'not a host!',
      '127.0.0.1',
      '70000',
      '5514',
      '2', // TCP
      'mail',
      '',
      '3',
      'edit',
      '4', // siem_mail, in the list by name
      '',
      '',
      '1', // Download Manually
      '',
      '',
      'delete',
      '2', // gui_logs
      '',
    ]);
    expectGolden('logconfig.txt', transcript);
    expect(byName(appliance, 'siem_mail')).toEqual({ name: 'siem_mail', type: 'mail_logs', level: 'debug', maxFileBytes: 10485760, maxFiles: 3, retrieval: { method: 'manual' } });
    expect(subsOf(appliance).map((s) => s.name)).toEqual(['mail_logs', 'system_logs', 'authentication', 'siem_mail']);
    expect(appliance.configuration.current.logSubscriptions).toBeUndefined(); // pending until commit
  });

  it('offers no syslog push for Authentication Logs, as the appliance', async () => {
    const { transcript } = await runScripted(logconfigCommand, ['new', '3', 'auth2', '', '', '', '', '']);
    expect(transcript).toContain('Choose the method to retrieve the logs.\n1. Download Manually\n[1]> ');
    expect(transcript).not.toContain('Syslog Push\n[1]>');
  });

  it('takes flags for scripts: syslog push with host, port, protocol and facility, a level, back to manual', async () => {
    const { appliance } = await runScripted(logconfigCommand, [], { flags: { edit: 'mail_logs', syslogPush: '127.0.0.1:5514', protocol: 'tcp', facility: 'mail' } });
    expect(byName(appliance, 'mail_logs')!.retrieval).toEqual({ method: 'syslog', host: '127.0.0.1', port: 5514, protocol: 'tcp', facility: 'mail' });
    await runScripted(logconfigCommand, [], { appliance, flags: { edit: 'mail_logs', level: 'Debug', facility: 'LOCAL4' } });
    expect(byName(appliance, 'mail_logs')).toMatchObject({ level: 'debug', retrieval: { method: 'syslog', host: '127.0.0.1', port: 5514, protocol: 'tcp', facility: 'local4' } });
    await runScripted(logconfigCommand, [], { appliance, flags: { new: 'siem_system', type: 'system_logs', syslogPush: 'siem.example.com', maxFiles: 5 } });
    expect(byName(appliance, 'siem_system')).toEqual({
      name: 'siem_system',
      type: 'system_logs',
      level: 'information',
      maxFileBytes: 10485760,
      maxFiles: 5,
      retrieval: { method: 'syslog', host: 'siem.example.com', port: 514, protocol: 'udp', facility: 'user' },
    });
    await runScripted(logconfigCommand, [], { appliance, flags: { edit: 'siem_system', name: 'siem_sys', manual: true } });
    expect(byName(appliance, 'siem_sys')!.retrieval).toEqual({ method: 'manual' });
    await runScripted(logconfigCommand, [], { appliance, flags: { delete: 'siem_sys' } });
    expect(byName(appliance, 'siem_sys')).toBeUndefined();
  });

  it('reads HOST, HOST:PORT and [IPv6]:PORT', () => {
    expect(parseSyslogTarget('siem.example.com')).toEqual({ host: 'siem.example.com' });
    expect(parseSyslogTarget('10.0.0.5:1514')).toEqual({ host: '10.0.0.5', port: '1514' });
    expect(parseSyslogTarget('[::1]:1514')).toEqual({ host: '::1', port: '1514' });
    expect(parseSyslogTarget('fe80::1')).toEqual({ host: 'fe80::1' });
  });

  it.each([
    [{ edit: 'mail_logs', syslogPush: '127.0.0.1:5514', facility: 'kernel' }, 'Invalid syslog facility "kernel": choose one of: auth, authpriv, console, daemon, ftp, local0'],
    [{ edit: 'mail_logs', syslogPush: '127.0.0.1:70000' }, 'Invalid syslog port "70000": enter a whole number from 1 to 65535.'],
    [{ edit: 'mail_logs', syslogPush: '127.0.0.1:x' }, 'Invalid syslog port "x": enter a whole number from 1 to 65535.'],
    [{ edit: 'mail_logs', syslogPush: '127.0.0.1', protocol: 'sctp' }, 'Invalid syslog protocol "sctp": choose udp or tcp.'],
    [{ edit: 'mail_logs', syslogPush: 'bad host!' }, 'Invalid syslog host "bad host!": enter a host name or an IP address.'],
    [{ edit: 'mail_logs', level: 'loud' }, 'Invalid log level "loud": choose one of: critical, warning, information, debug, trace.'],
    [{ edit: 'mail_logs', protocol: 'tcp' }, 'A syslog push needs the host to deliver the logs to: give --syslog-push HOST[:PORT].'],
    [{ edit: 'authentication', syslogPush: '127.0.0.1' }, 'Syslog Push is not available for Authentication Logs.'],
    [{ new: 'mail_logs', type: 'mail_logs' }, "Log name 'mail_logs' already in use."],
    [{ new: 'System_Logs', type: 'gui_logs' }, "Log name 'System_Logs' already in use."],
    [{ new: 'a/b', type: 'gui_logs' }, "Invalid log name \"a/b\": use 1-64 letters, digits, '_' or '-'."],
    [{ new: 'x', type: 'bounces' }, 'Invalid log file type "bounces": choose one of: mail_logs, system_logs, authentication, gui_logs.'],
    [{ new: 'x' }, '--new needs --type (mail_logs, system_logs, authentication, gui_logs).'],
    [{ edit: 'nolog', level: 'debug' }, 'There is no log subscription named nolog.'],
    [{ delete: 'nolog' }, 'There is no log subscription named nolog.'],
    [{ edit: 'mail_logs' }, 'Say what to change in mail_logs'],
    [{ edit: 'mail_logs', name: 'gui_logs' }, "Log name 'gui_logs' already in use."],
  ])('refuses %j naming the setting, and changes nothing', async (flags, words) => {
    const { appliance } = await runScripted(logconfigCommand, [], { flags: { json: true } });
    await expect(runScripted(logconfigCommand, [], { appliance, flags, interactive: false })).rejects.toThrow(words);
    expect(consoleSession(appliance).config.hasChanges()).toBe(false);
  });

  it('lists the subscriptions with their retrieval, by name, and as JSON', async () => {
    const { appliance } = await runScripted(logconfigCommand, [], { flags: { edit: 'mail_logs', syslogPush: '10.0.0.5', facility: 'local4' } });
    const { transcript } = await runScripted(logconfigCommand, [], { appliance, flags: { list: true } });
    expect(transcript).toBe(
      [
        'Currently configured logs:',
        '1. "authentication" Type: "Authentication Logs" Retrieval: Manual Download',
        '2. "gui_logs" Type: "HTTP Logs" Retrieval: Manual Download',
        '3. "mail_logs" Type: "IronPort Text Mail Logs" Retrieval: Syslog Push - Host 10.0.0.5 Port 514 UDP Facility local4',
        '4. "system_logs" Type: "System Logs" Retrieval: Manual Download',
        '',
      ].join('\n'),
    );
    const json = await runScripted(logconfigCommand, [], { appliance, flags: { json: true }, interactive: false });
    expect((JSON.parse(json.transcript) as { name: string }[]).map((s) => s.name)).toEqual(['authentication', 'gui_logs', 'mail_logs', 'system_logs']);
  });

  it('a one-shot run of the real binary commits the push; a bad value is refused naming the setting, and nothing is stored', async () => {
    const home = labHome();
    const bad = await runBinary(['--home', home, 'logconfig', '--edit', 'mail_logs', '--syslog-push', '127.0.0.1:5514', '--facility', 'kernel']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('Invalid syslog facility "kernel": choose one of:');
    expect(JSON.parse(readFileSync(`${home}/config.json`, 'utf8')).logSubscriptions).toBeUndefined();
    const good = await runBinary(['--home', home, 'logconfig', '--edit', 'mail_logs', '--syslog-push', '127.0.0.1:5514', '--protocol', 'tcp', '--facility', 'mail']);
    expect(good.stderr).toBe('');
    expect(good.code).toBe(0);
    const stored = JSON.parse(readFileSync(`${home}/config.json`, 'utf8')) as { logSubscriptions: { name: string; retrieval: unknown }[] };
    expect(stored.logSubscriptions.find((s) => s.name === 'mail_logs')!.retrieval).toEqual({ method: 'syslog', host: '127.0.0.1', port: 5514, protocol: 'tcp', facility: 'mail' });
  });
});
