import { SyslogPush } from '../../src/engine/logs/syslog-push.js';
import { stopAfterFile } from '../helpers/cleanup.js';
import { waitFor } from '../helpers/engine.js';
import { haveRsyslog, RSYSLOGD, startRsyslog } from '../helpers/rsyslog.js';

/*
 * Syslog push received by a real syslog daemon: Debian's rsyslogd, started by the test on
 * loopback ports with a configuration of its own, writes what it parsed from each line.
 */

if (!haveRsyslog) console.warn(`syslog push interop tests skipped: ${RSYSLOGD} is not installed (Debian package rsyslog)`);

describe.skipIf(!haveRsyslog)('syslog push to rsyslog', () => {
  it('arrives over UDP and TCP, and rsyslog takes the log name as the tag and "Info: ..." as the message', async () => {
    const rsyslog = await startRsyslog();
    const push = new SyslogPush();
    stopAfterFile(() => push.stop());
    push.configure([
      { name: 'mail_logs', retrieval: { method: 'syslog', host: '127.0.0.1', port: rsyslog.udpPort, protocol: 'udp', facility: 'local4' } },
      { name: 'system_logs', retrieval: { method: 'syslog', host: '127.0.0.1', port: rsyslog.tcpPort, protocol: 'tcp', facility: 'mail' } },
    ]);
    const at = new Date(2026, 2, 7, 9, 4, 5).getTime(); // local time, as the files
    push.push({ subscription: 'mail_logs', level: 'Info', at: at, text: 'Start MID 6 ICID 5' });
    push.push({ subscription: 'mail_logs', level: 'Warning', at: at, text: 'MID 6 Subject "a: b"' });
    push.push({ subscription: 'system_logs', level: 'Info', at: at, text: 'PID 1237: User admin commit changes: pushing' });
    push.push({ subscription: 'system_logs', level: 'Critical', at: at, text: 'two lines\nin one' });
    await waitFor(() => rsyslog.lines().length === 4, 10_000, 'four lines in rsyslog');
    const lines = rsyslog.lines().sort((a, b) => a.input.localeCompare(b.input));
    expect(lines).toEqual([
      {
        input: 'imtcp',
        pri: 22,
        timestamp: 'Mar  7 09:04:05',
        hostname: expect.any(String),
        fromhost: expect.any(String),
        tag: 'system_logs:',
        msg: ' Info: PID 1237: User admin commit changes: pushing',
      },
      { input: 'imtcp', pri: 18, timestamp: 'Mar  7 09:04:05', hostname: expect.any(String), fromhost: expect.any(String), tag: 'system_logs:', msg: ' Critical: two lines in one' },
      { input: 'imudp', pri: 166, timestamp: 'Mar  7 09:04:05', hostname: expect.any(String), fromhost: expect.any(String), tag: 'mail_logs:', msg: ' Info: Start MID 6 ICID 5' },
      { input: 'imudp', pri: 164, timestamp: 'Mar  7 09:04:05', hostname: expect.any(String), fromhost: expect.any(String), tag: 'mail_logs:', msg: ' Warning: MID 6 Subject "a: b"' },
    ]);
    // no host field was sent: rsyslog names the sender from where the packet came, not from a word of the line
    for (const l of lines) expect(l.hostname).toBe(l.fromhost);
    // a relay puts that host before the name: the form of the 2023 sample Elastic's pipeline also reads
    await waitFor(() => rsyslog.forwarded().some((l) => l.includes('Start MID 6')), 5000, 'the relayed lines');
    expect(rsyslog.forwarded()).toContain(`<166>Mar  7 09:04:05 ${lines[2]!.hostname} mail_logs: Info: Start MID 6 ICID 5`);
  });
});
