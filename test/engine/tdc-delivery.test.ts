import { createServer } from 'node:net';
import { simpleParser } from 'mailparser';
import { TDC_QUEUE } from '../../src/engine/config/model.js';
import type { MailEvent } from '../../src/engine/mail/mail-events.js';
import { injectTraffic } from '../../src/lab/traffic.js';
import { INTAKE, mailLog, refuse, startEngine, startIntake, waitFor } from '../helpers/engine.js';

const tdc = (engine: { hosts(): { host: string }[] }) =>
  engine.hosts().find((h) => h.host === TDC_QUEUE) as ReturnType<import('../../src/engine/mail/mail-engine.js').MailEngine['hosts']>[number] | undefined;

/** An engine journaling to a test intake server through an SMTP route for intake.test. */
async function journaling(intakeOptions: Parameters<typeof startIntake>[1] = {}, factor = 40) {
  const { tempHome } = await import('../helpers/scripted.js');
  const home = tempHome();
  const intake = await startIntake(home, intakeOptions);
  const { engine, appliance } = await startEngine(
    (c) => {
      c.tdc = { enabled: true, intakeAddress: INTAKE };
      c.smtpRoutes.push({ domain: 'intake.test', destinations: [`127.0.0.1:${intake.port}`] });
    },
    { factor, home },
  );
  const send = (count: number, extra: Partial<Parameters<typeof injectTraffic>[1]> = {}) => injectTraffic(engine.listenerAddress(), { count, to: ['example.com'], ...extra });
  const done = async () => {
    await engine.stop();
    await intake.close();
  };
  return { home, intake, engine, appliance, send, done };
}

describe('the.tdc.queue delivery (real loopback sockets)', () => {
  it('journals a clean message over STARTTLS with the seed log lines, and delivers the original', async () => {
    const t = await journaling();
    try {
      await t.send(1, { subject: 'quarterly report' });
      await waitFor(() => t.intake.received.length === 1 && tdc(t.engine)?.deliveredRecipients === 1);
      const log = mailLog(t.home, t.engine);
      const midLine = /TDC: MID (\d+) with Message-ID '<[^>]+>' enqueued for forwarding to Cisco Secure Email Threat Defense to the message intake address journal-1234@intake\.test/.exec(log);
      expect(midLine).not.toBeNull();
      const mid = midLine![1];
      expect(log).toMatch(/\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4} Info: TDC: New SMTP DCID (\d+) interface 127\.0\.0\.1 address 127\.0\.0\.1 port \d+/);
      expect(log).toMatch(/Info: DCID \d+ TLS success protocol TLSv1\.[23] cipher \S+/);
      expect(log).toMatch(new RegExp(`Info: TDC: Delivery start DCID \\d+ MID ${mid}\\n`));
      expect(log).toContain(`Info: TDC: MID ${mid} successfully delivered for scanning with Cisco Secure Email Threat Defense.\n`);
      expect(log).toContain(`Info: Message finished MID ${mid} done`);
      // the journal: a new message to the intake address carrying the original as message/rfc822
      const journal = await simpleParser(t.intake.received[0]!.raw);
      expect(t.intake.received[0]!.to).toEqual([INTAKE]);
      const attached = journal.attachments.find((a) => a.contentType === 'message/rfc822');
      expect(attached).toBeDefined();
      const original = await simpleParser(attached!.content);
      expect(original.subject).toBe('quarterly report');
      expect(original.headers.get('x-ironport-remoteip')).toBe('127.0.0.1');
      expect(journal.headers.get('x-ironport-mid')).toMatch(/^\d+$/);
      await waitFor(() => t.engine.hosts().find((h) => h.host === 'example.com')?.deliveredRecipients === 1);
    } finally {
      await t.done();
    }
  });

  it('opens at least 3 connections while the queue has entries, and closes them when it empties', async () => {
    const t = await journaling({ dataDelayMs: 150 });
    try {
      await t.send(12);
      await waitFor(() => tdc(t.engine)?.deliveredRecipients === 12, 20_000);
      expect(t.intake.peakSessions()).toBeGreaterThanOrEqual(3);
      await waitFor(() => tdc(t.engine)?.connectionsOut === 0);
    } finally {
      await t.done();
    }
  });

  const table: [string, number, number, number][] = [
    // [case, code, attempts seen by the server, soft bounce events]
    ['421 (4xx): one retry', 421, 2, 1],
    ['450 (4xx): one retry', 450, 2, 1],
    ['451 (4xx): one retry', 451, 2, 1],
    ['550 (5xx): no retry', 550, 1, 0],
    ['554 (5xx): no retry', 554, 1, 0],
    ['503: one retry', 503, 2, 1],
    ['552: one retry', 552, 2, 1],
  ];
  it.each(table)('retry table: %s', async (_name, code, attempts, soft) => {
    const t = await journaling({ onRcpt: () => refuse(code, `${String(code)[0]}.7.1 test refusal`) });
    try {
      await t.send(1);
      await waitFor(() => tdc(t.engine)?.hardBouncedRecipients === 1, 10_000, 'the hard bounce');
      expect(t.intake.rcptAttempts()).toBe(attempts);
      expect(tdc(t.engine)?.softBouncedEvents).toBe(soft);
      const log = mailLog(t.home, t.engine);
      expect(log).toMatch(/TDC: MID \d+ delivery failed to Cisco Secure Email Threat Defense: Hard Bounced\./);
      // AsyncOS's own class, whatever the reply's enhanced code (x.7.1 here)
      expect(log).toMatch(new RegExp(`Bounced: DCID \\d+ MID \\d+ to RID 0 - ${code >= 500 ? '5' : '4'}\\.1\\.0 - Unknown address error \\('${code}', \\['\\d\\.7\\.1 test refusal'\\]\\)`));
    } finally {
      await t.done();
    }
  });

  it('4xx once, then success: exactly one retry', async () => {
    const t = await journaling({ onRcpt: (n) => (n === 1 ? refuse(451, '4.7.1 try later') : null) });
    try {
      await t.send(1);
      await waitFor(() => tdc(t.engine)?.deliveredRecipients === 1);
      expect(t.intake.rcptAttempts()).toBe(2);
      expect(tdc(t.engine)?.softBouncedEvents).toBe(1);
      expect(mailLog(t.home, t.engine)).toMatch(/Delayed: DCID \d+ MID \d+ to RID 0 - 4\.1\.0 - Unknown address error \('451', \['4\.7\.1 try later'\]\)/);
    } finally {
      await t.done();
    }
  });

  it('TLS error (no STARTTLS offered): delivery failed with TLS Error, no retry, never plaintext', async () => {
    const t = await journaling({ tls: false });
    try {
      await t.send(2);
      await waitFor(() => tdc(t.engine)?.hardBouncedRecipients === 2);
      expect(t.intake.received).toHaveLength(0);
      expect(tdc(t.engine)?.softBouncedEvents).toBe(0);
      const log = mailLog(t.home, t.engine);
      expect(log.match(/TDC: MID \d+ delivery failed to Cisco Secure Email Threat Defense:TLS Error\.\n/g)).toHaveLength(2);
      // the DCID and the reason, in AsyncOS's words
      expect(log.match(/Info: DCID \d+ TLS failed: STARTTLS unexpected response\n/g)).toHaveLength(2);
      expect(log.match(/Info: DCID \d+ IP 127\.0\.0\.1 TLS was required but could not be successfully negotiated\n/g)).toHaveLength(2);
      // each failed DCID opened and closed, as on the success path
      for (const [, dcid] of log.matchAll(/DCID (\d+) TLS failed/g)) {
        const at = (line: RegExp) => log.search(line);
        expect(at(new RegExp(`Info: TDC: New SMTP DCID ${dcid} interface 127\\.0\\.0\\.1 address 127\\.0\\.0\\.1 port \\d+\\n`)), dcid).toBeGreaterThan(-1);
        expect(at(new RegExp(`TDC: New SMTP DCID ${dcid} `))).toBeLessThan(at(new RegExp(`DCID ${dcid} TLS failed`)));
        expect(at(new RegExp(`DCID ${dcid} TLS failed`))).toBeLessThan(at(new RegExp(`Info: DCID ${dcid} close\\n`)));
      }
    } finally {
      await t.done();
    }
  });

  it('TLS error (handshake fails): no retry', async () => {
    // a server whose certificate is not from the lab CA
    const { tempHome } = await import('../helpers/scripted.js');
    const other = tempHome();
    const { ensureLabPki } = await import('../../src/engine/tls.js');
    const foreign = ensureLabPki(`${other}/tls`);
    const t = await journaling({ extra: { key: foreign.key, cert: foreign.cert } });
    try {
      await t.send(1);
      await waitFor(() => tdc(t.engine)?.hardBouncedRecipients === 1);
      expect(t.intake.received).toHaveLength(0);
      const log = mailLog(t.home, t.engine);
      expect(log).toMatch(/TDC: MID \d+ delivery failed to Cisco Secure Email Threat Defense:TLS Error\./);
      const dcid = /DCID (\d+) TLS failed: verify error: certificate not trusted\n/.exec(log)?.[1];
      expect(dcid).toBeDefined();
      expect(log).toContain(`DCID ${dcid} IP 127.0.0.1 TLS was required but could not be successfully negotiated\n`);
    } finally {
      await t.done();
    }
  });

  it('TLS error (the server offers only TLS 1.1): protocol version, no retry', async () => {
    const t = await journaling({ extra: { minVersion: 'TLSv1', maxVersion: 'TLSv1.1' } });
    try {
      await t.send(1);
      await waitFor(() => tdc(t.engine)?.hardBouncedRecipients === 1);
      expect(tdc(t.engine)?.softBouncedEvents).toBe(0);
      const log = mailLog(t.home, t.engine);
      expect(log).toMatch(/Info: DCID \d+ TLS failed: protocol version not supported \(TLSv1\.2 or later required\)\n/);
      expect(log).toMatch(/Info: DCID \d+ IP 127\.0\.0\.1 TLS was required but could not be successfully negotiated\n/);
      expect(log).toMatch(/TDC: MID \d+ delivery failed to Cisco Secure Email Threat Defense:TLS Error\./);
    } finally {
      await t.done();
    }
  });

  it('the 120-second rule cuts an attempt still in flight at 120 s (slow server, clock x20)', async () => {
    // the server takes the message and never answers in time: each attempt hangs in DATA
    const t = await journaling({ dataDelayMs: 20_000 }, 20);
    const seen: MailEvent[] = [];
    t.engine.events.on((e) => void ((e.type === 'journal.enqueued' || e.type === 'expired' || e.type === 'deferred') && seen.push(e)));
    try {
      await t.send(1);
      await waitFor(() => tdc(t.engine)?.hardBouncedRecipients === 1, 15_000, 'the copy to leave the queue');
      const queued = seen.find((e) => e.type === 'journal.enqueued')!;
      const expired = seen.find((e) => e.type === 'expired')!;
      // the first attempt timed out (60 s) and was retried; the retry was cut at 120 s, not at its own timeout (125 s)
      expect(seen.filter((e) => e.type === 'deferred')).toHaveLength(1);
      expect(expired.at - queued.at).toBeGreaterThanOrEqual(120_000);
      expect(expired.at - queued.at).toBeLessThan(122_000);
      expect(tdc(t.engine)?.hardBounces.expired).toBe(1);
      expect(mailLog(t.home, t.engine)).toMatch(/TDC: MID \d+ removed from the queue after 120 seconds/);
    } finally {
      await t.done();
    }
  });

  it('a server that never greets: Connection Error ... reason: connection timed out, one retry', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    const { engine, home } = await startEngine(
      (c) => {
        c.tdc = { enabled: true, intakeAddress: INTAKE };
        c.smtpRoutes.push({ domain: 'intake.test', destinations: [`127.0.0.1:${port}`] });
      },
      { factor: 100 },
    );
    try {
      await injectTraffic(engine.listenerAddress(), { count: 1, to: ['example.com'] });
      await waitFor(() => tdc(engine)?.hardBouncedRecipients === 1, 10_000);
      const log = mailLog(home, engine);
      expect(
        log.match(
          new RegExp(`TDC: Connection Error: DCID \\d+ domain: the\\.tdc\\.queue IP: 127\\.0\\.0\\.1 port: ${port} details: timeout interface: 127\\.0\\.0\\.1 reason: connection timed out`, 'g'),
        ),
      ).toHaveLength(2);
      expect(tdc(engine)?.softBouncedEvents).toBe(1);
      expect(tdc(engine)?.hostDown).toBe(true);
      // the second attempt outlived the 120 seconds: removed as expired
      expect(tdc(engine)?.hardBounces.expired).toBe(1);
    } finally {
      await engine.stop();
      silent.close();
    }
  });

  it('removes a copy after 120 seconds in the queue (clock compressed)', async () => {
    const t = await journaling({}, 200);
    try {
      t.engine.suspendDelivery([TDC_QUEUE]);
      await t.send(1);
      await waitFor(() => (tdc(t.engine)?.activeRecipients ?? 0) === 1);
      // no delivery attempted yet: hoststatus already names the route the first one will take
      expect(tdc(t.engine)?.routes).toEqual([`intake.test -> 127.0.0.1:${t.intake.port}`]);
      await waitFor(() => tdc(t.engine)?.hardBouncedRecipients === 1, 5_000, '120 s (scenario time) to pass');
      expect(tdc(t.engine)?.hardBounces.expired).toBe(1);
      expect(t.intake.received).toHaveLength(0);
      expect(mailLog(t.home, t.engine)).toMatch(/TDC: MID \d+ removed from the queue after 120 seconds/);
    } finally {
      await t.done();
    }
  });

  it('an unknown intake domain is NXDomain: hard bounce 5.1.2 with the seed lines', async () => {
    const { engine, home } = await startEngine((c) => void (c.tdc = { enabled: true, intakeAddress: 'test@esa.example.com' }));
    try {
      await injectTraffic(engine.listenerAddress(), { count: 1, to: ['example.com'] });
      await waitFor(() => tdc(engine)?.hardBouncedRecipients === 1);
      const log = mailLog(home, engine);
      expect(log).toContain('Info: DNS Error esa.example.com MX - NXDomain\n');
      expect(log).toMatch(/Info: TDC: Hard bounced - 5\.1\.2 - Bad destination host \('000', \['DNS Hard Error looking up esa\.example\.com \(MX\) : NXDomain'\]\)\n/);
      expect(log).toMatch(/Info: TDC: MID \d+ delivery failed to Cisco Secure Email Threat Defense: Hard Bounced\.\n/);
      expect(log).toMatch(/Info: Bounced: DCID 0 MID \d+ to RID 0 - Bounced by destination server with response: 5\.1\.2 - Bad destination host/);
      expect(tdc(engine)?.hardBounces.dns).toBe(1);
    } finally {
      await engine.stop();
    }
  });
});
