import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { waitFor } from '../helpers/engine.js';
import { smtpGreeting, startHeadless } from '../helpers/headless.js';
import { haveRsyslog, RSYSLOGD, startRsyslog } from '../helpers/rsyslog.js';
import { runBinary } from '../helpers/run-main.js';
import { labHome } from '../helpers/scripted.js';

/*
 * The real binary's appliance pushes its logs to Debian's rsyslogd, configured with logconfig's
 * flags; rsyslog is killed mid-run, and mail neither slows down nor loses a line on disk.
 */

if (!haveRsyslog) console.warn(`syslog push interop tests skipped: ${RSYSLOGD} is not installed (Debian package rsyslog)`);

/** Every line of a subscription's files (rolled files first, the current one last). */
function logText(home: string, name: string): string {
  const dir = join(home, 'logs', name);
  if (!existsSync(dir)) return '';
  const files = readdirSync(dir).sort((a, b) => Number(a.endsWith('.current')) - Number(b.endsWith('.current')) || a.localeCompare(b));
  return files.map((f) => readFileSync(join(dir, f), 'utf8')).join('');
}

/** Greeting times (ms) of `count` connections one after the other. */
async function greetingTimes(port: number, count: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const greeting = await smtpGreeting(port);
    times.push(performance.now() - started);
    expect(greeting).toMatch(/^220 /);
  }
  return times;
}

const p99 = (times: number[]) => [...times].sort((a, b) => a - b)[Math.min(times.length - 1, Math.floor(times.length * 0.99))]!;

describe.skipIf(!haveRsyslog)('an appliance pushing its logs to rsyslog', () => {
  it('pushes mail_logs over TCP in the AsyncOS form; with rsyslog killed, mail is not slower, the files lose nothing, and the push resumes when it is back', async () => {
    const rsyslog = await startRsyslog();
    const home = labHome();
    const configured = await runBinary(['--home', home, 'logconfig', '--edit', 'mail_logs', '--syslog-push', `127.0.0.1:${rsyslog.tcpPort}`, '--protocol', 'tcp', '--facility', 'local4']);
    expect(configured.stderr).toBe('');
    const pushSystem = await runBinary(['--home', home, 'logconfig', '--edit', 'system_logs', '--syslog-push', `127.0.0.1:${rsyslog.udpPort}`, '--facility', 'local6']);
    expect(pushSystem.code).toBe(0);
    const appliance = await startHeadless(home);
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: appliance.listenerPort, ignoreTLS: true, pool: false });
    const send = (i: number) => transport.sendMail({ from: 'ann@outside.example', to: 'bob@example.com', subject: `push ${i}`, text: 'clean' });
    const finished = (text: string) => [...text.matchAll(/Message finished MID (\d+) done/g)].length;
    try {
      for (let i = 0; i < 3; i++) await send(i);
      await waitFor(() => rsyslog.lines().filter((l) => /Message finished MID \d+ done/.test(l.msg)).length === 3, 15_000, 'three messages in rsyslog');
      const mail = rsyslog.lines().filter((l) => l.tag === 'mail_logs:');
      // the AsyncOS form: PRI local4.info, the log name as the tag, no host field, the level word first
      for (const l of mail) {
        expect(l).toMatchObject({ input: 'imtcp', tag: 'mail_logs:' });
        expect(l.hostname).toBe(l.fromhost);
        expect(l.msg).toMatch(/^ (Info|Warning|Critical|Debug): /);
      }
      expect(mail.filter((l) => l.msg.startsWith(' Info: ')).every((l) => l.pri === 166)).toBe(true);
      expect(mail.map((l) => l.msg)).toContainEqual(expect.stringMatching(/^ Info: MID \d+ Subject ["']push 0["']$/));
      // the commit's system_logs line, pushed over UDP with local6
      await waitFor(() => rsyslog.lines().some((l) => l.tag === 'system_logs:'), 10_000, 'a system_logs line in rsyslog');
      expect(rsyslog.lines().find((l) => l.tag === 'system_logs:')).toMatchObject({ input: 'imudp', pri: 182 });

      // the greeting under the same mail traffic, rsyslog up and then killed
      let sending = Promise.all(Array.from({ length: 20 }, (_, i) => send(200 + i)));
      const before = await greetingTimes(appliance.listenerPort, 40);
      await sending;

      await rsyslog.kill();
      sending = Promise.all(Array.from({ length: 20 }, (_, i) => send(100 + i)));
      const after = await greetingTimes(appliance.listenerPort, 40);
      await sending;
      await waitFor(() => finished(logText(home, 'mail_logs')) === 43, 20_000, 'all 43 messages in mail_logs');
      await waitFor(() => logText(home, 'system_logs').includes('Log Error: Subscription mail_logs: Failed to send to'), 10_000, 'the push failure in system_logs');

      console.log(`SMTP greeting p99 while 20 messages flow, rsyslog up: ${p99(before).toFixed(1)} ms, killed: ${p99(after).toFixed(1)} ms (40 each)`);
      // generous: a push that held mail up would wait for connection timeouts (seconds)
      expect(p99(after)).toBeLessThan(Math.max(3 * p99(before), p99(before) + 250));

      // nothing is lost on disk: every message's lines from Start to Message finished
      const file = logText(home, 'mail_logs');
      expect([...file.matchAll(/Start MID (\d+) ICID/g)]).toHaveLength(43);
      // (the Subject's quotes are another change's: either is taken)
      for (let i = 100; i < 120; i++) expect(file).toMatch(new RegExp(`Subject ["']push ${i}["']`));

      // rsyslog back on the same ports: the waiting lines and new ones arrive
      const again = await startRsyslog({ udp: rsyslog.udpPort, tcp: rsyslog.tcpPort });
      await send(999);
      await waitFor(() => again.lines().some((l) => /Subject ["']push 999["']/.test(l.msg)), 40_000, 'new lines after rsyslog is back');
      expect(again.lines().filter((l) => /Subject ["']push 1\d\d["']/.test(l.msg)).length).toBeGreaterThan(0);
      await waitFor(() => /Subscription mail_logs: 127\.0\.0\.1:\d+ \(TCP\) takes lines again/.test(logText(home, 'system_logs')), 10_000, 'the recovery in system_logs');
    } finally {
      transport.close();
      await appliance.stop();
    }
  }, 120_000);

  it('follows a commit of logconfig on the running appliance: a push begins at once, and stops with --manual', async () => {
    const rsyslog = await startRsyslog();
    const home = labHome();
    const appliance = await startHeadless(home);
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: appliance.listenerPort, ignoreTLS: true, pool: false });
    const send = (subject: string) => transport.sendMail({ from: 'ann@outside.example', to: 'bob@example.com', subject, text: 'clean' });
    const subjects = () => rsyslog.lines().flatMap((l) => /Subject ["'](.*)["']$/.exec(l.msg)?.[1] ?? []);
    try {
      await send('before');
      // a one-shot run on the running appliance: its session commits through the control socket
      const edit = await runBinary(['--home', home, 'logconfig', '--edit', 'mail_logs', '--syslog-push', `127.0.0.1:${rsyslog.udpPort}`, '--facility', 'mail']);
      expect(edit.code).toBe(0);
      await send('pushed');
      await waitFor(() => subjects().includes('pushed'), 10_000, 'the pushed message in rsyslog');
      expect(rsyslog.lines().find((l) => l.msg.includes('pushed'))).toMatchObject({ input: 'imudp', tag: 'mail_logs:', pri: 22 });
      const manual = await runBinary(['--home', home, 'logconfig', '--edit', 'mail_logs', '--manual']);
      expect(manual.code).toBe(0);
      await send('after');
      await waitFor(() => /Subject ["']after["']/.test(logText(home, 'mail_logs')), 10_000, 'the last message in mail_logs');
      await new Promise((r) => setTimeout(r, 300));
      expect(subjects()).toEqual(['pushed']);
    } finally {
      transport.close();
      await appliance.stop();
    }
  }, 60_000);
});
