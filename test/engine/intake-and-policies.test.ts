import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import nodemailer from 'nodemailer';
import { Appliance } from '../../src/engine/appliance.js';
import { TDC_QUEUE } from '../../src/engine/config/model.js';
import { MailEngine } from '../../src/engine/mail/mail-engine.js';
import { injectTraffic } from '../../src/lab/traffic.js';
import { INTAKE, mailLog, startEngine, startIntake, waitFor } from '../helpers/engine.js';
import { killAfterFile } from '../helpers/cleanup.js';
import { havePeers } from '../helpers/peers.js';
import { spawnFixture } from '../helpers/run-main.js';
import { commitEdit, labHome, tempHome } from '../helpers/scripted.js';

const delivered = (engine: MailEngine, host: string) => engine.hosts().find((h) => h.host === host)?.deliveredRecipients ?? 0;
const mailboxCount = (home: string) => (existsSync(`${home}/mailboxes`) ? readdirSync(`${home}/mailboxes`).reduce((n, box) => n + readdirSync(`${home}/mailboxes/${box}`).length, 0) : 0);

describe('intake and the work queue', () => {
  it('refuses recipients outside the RAT with 550 and messages over the size limit with 552', async () => {
    const { engine, home } = await startEngine((c) => void (c.listener.maxMessageSize = 4096));
    const { port } = engine.listenerAddress();
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port, ignoreTLS: true });
    try {
      await expect(transport.sendMail({ from: 'a@outside.example', to: 'x@elsewhere.example', text: 'hi' })).rejects.toMatchObject({ responseCode: 550 });
      await expect(transport.sendMail({ from: 'a@outside.example', to: 'x@example.com', text: 'x'.repeat(10_000) })).rejects.toMatchObject({ responseCode: 552 });
      const ok = await transport.sendMail({ from: 'a@outside.example', to: ['x@example.com', 'y@elsewhere.example'], text: 'partly' });
      expect(ok.accepted).toEqual(['x@example.com']);
      expect(ok.response).toMatch(/^250 ok: {2}Message \d+ accepted/);
      expect(mailLog(home, engine)).toMatch(/MID \d+ ICID \d+ To: <x@elsewhere\.example> Rejected by RAT/);
      expect(engine.status().counters.uptime.rejectedRecipients).toBe(2);
    } finally {
      transport.close();
      await engine.stop();
    }
  });

  it('splits a message by policy, one MID per policy, and journals only the clean, journaling part', async () => {
    const home = tempHome();
    const intake = await startIntake(home);
    const { engine } = await startEngine(
      (c) => {
        c.listener.acceptDomains.push('legal.example');
        c.smtpRoutes.push({ domain: 'legal.example', destinations: ['exchange.lab:25'] }, { domain: 'intake.test', destinations: [`127.0.0.1:${intake.port}`] });
        c.tdc = { enabled: true, intakeAddress: INTAKE };
        c.incomingPolicies.unshift({ name: 'legal', senders: [], recipients: ['legal.example'], antispam: 'use-default', antivirus: 'use-default', tdc: { mode: 'no' } });
      },
      { home },
    );
    try {
      await injectTraffic(engine.listenerAddress(), { count: 1, to: ['bob@example.com', 'counsel@legal.example'], recipientsPerMessage: 2 });
      await waitFor(() => delivered(engine, 'example.com') === 1 && delivered(engine, 'legal.example') === 1 && delivered(engine, TDC_QUEUE) === 1);
      const log = mailLog(home, engine);
      const split = /MID (\d+) was split creating MID (\d+) due to a per-recipient policy legal in the inbound table/.exec(log);
      expect(split).not.toBeNull();
      expect(log).toContain(`MID ${split![1]} matched all recipients for per-recipient policy DEFAULT in the inbound table`);
      expect(log).toContain(`MID ${split![2]} matched all recipients for per-recipient policy legal in the inbound table`);
      expect(intake.received).toHaveLength(1);
      expect(readFileSync(`${home}/mailboxes/counsel@legal.example/${readdirSync(`${home}/mailboxes/counsel@legal.example`)[0]}`, 'utf8')).toMatch(/^X-IronPort-RemoteIP: 127\.0\.0\.1\r\n/);
    } finally {
      await engine.stop();
      await intake.close();
    }
  });

  it('never journals spam or virus positives; spam is delivered tagged, viruses dropped', async () => {
    const home = tempHome();
    const intake = await startIntake(home);
    const { engine } = await startEngine(
      (c) => {
        c.smtpRoutes.push({ domain: 'intake.test', destinations: [`127.0.0.1:${intake.port}`] });
        c.tdc = { enabled: true, intakeAddress: INTAKE };
      },
      { home },
    );
    try {
      await injectTraffic(engine.listenerAddress(), { count: 10, to: ['example.com'], spam: 0.2, virus: 0.1 });
      await waitFor(() => delivered(engine, 'example.com') === 9 && delivered(engine, TDC_QUEUE) === 7);
      const log = mailLog(home, engine);
      expect(log.match(/MID \d+ using engine: CASE spam positive/g)).toHaveLength(2);
      expect(log.match(/antivirus positive/g)).toHaveLength(1);
      expect(log).toMatch(/Message aborted MID \d+ Dropped by antivirus/);
      expect(intake.received).toHaveLength(7);
      const boxes = readdirSync(`${home}/mailboxes`).flatMap((b) => readdirSync(`${home}/mailboxes/${b}`).map((f) => readFileSync(`${home}/mailboxes/${b}/${f}`, 'utf8')));
      expect(boxes.filter((m) => /^Subject: \[SPAM\] /m.test(m))).toHaveLength(2);
      expect(engine.status().counters.uptime.droppedMessages).toBe(1);
    } finally {
      await engine.stop();
      await intake.close();
    }
  });

  it('goes on with the next IDs after a restart, never repeating one', async () => {
    const first = await startEngine();
    await injectTraffic(first.engine.listenerAddress(), { count: 2, to: ['example.com'] });
    await waitFor(() => delivered(first.engine, 'example.com') === 2);
    const last = first.engine.status().ids;
    await first.engine.stop();
    const appliance = new Appliance({ home: first.home });
    const again = new MailEngine(appliance);
    await again.start();
    try {
      await injectTraffic(again.listenerAddress(), { count: 1, to: ['example.com'] });
      await waitFor(() => delivered(again, 'example.com') === 1);
      // the next ones, not a jump to the next reserved block
      expect(again.status().ids).toEqual({ mid: last.mid + 1, icid: last.icid + 1, dcid: last.dcid + 1 });
      const mids = [...mailLog(first.home, again).matchAll(/Start MID (\d+)/g)].map((m) => Number(m[1]));
      expect(new Set(mids).size).toBe(mids.length);
    } finally {
      await again.stop();
    }
  });

  it.runIf(havePeers)('interoperates with swaks: plain, STARTTLS, pipelining and malformed commands', async () => {
    const { engine } = await startEngine();
    const { port } = engine.listenerAddress();
    try {
      const base = ['--server', '127.0.0.1', '--port', String(port), '--from', 'a@outside.example', '--to', 'b@example.com'];
      const plain = await swaksAsync(base);
      expect(plain.out).toMatch(/<- {2}250 ok: {2}Message \d+ accepted/);
      // the dialogue as an ESA speaks it: banner, EHLO extensions (no PIPELINING), AsyncOS codes in the text
      expect(plain.out).toMatch(/<- {2}220 esa1\.example\.com ESMTP\r?\n/);
      const ehlo = plain.out
        .split('\n')
        .filter((l) => /^<- {2}250[- ]/.test(l))
        .map((l) => l.slice(8).trim());
      expect(ehlo.slice(0, 5)).toEqual(['esa1.example.com', '8BITMIME', 'SMTPUTF8', 'STARTTLS', 'SIZE 10485760']);
      expect(plain.out).not.toMatch(/PIPELINING|ENHANCEDSTATUSCODES|DSN/);
      // the rest of the dialogue in the appliance's words (§10.6, TN 118234)
      const replies = plain.out
        .split('\n')
        .filter((l) => l.startsWith('<-  '))
        .map((l) => l.slice(4).trim());
      expect(replies.slice(-5)).toEqual([
        '250 sender <a@outside.example> ok',
        '250 recipient <b@example.com> ok',
        '354 go ahead',
        expect.stringMatching(/^250 ok: {2}Message \d+ accepted$/),
        '221 esa1.example.com',
      ]);
      expect((await swaksAsync([...base, '--tls'])).out).toMatch(/TLS started/);
      expect((await swaksAsync([...base, '--pipeline'])).out).toMatch(/250 ok: {2}Message \d+ accepted/);
      const refused = await swaksAsync(['--server', '127.0.0.1', '--port', String(port), '--from', 'a@outside.example', '--to', 'b@nowhere.example']);
      expect(refused.out).toMatch(/<\*\* 550 #5\.1\.0 Address rejected/);
      const garbage = await swaksAsync([...base, '--quit-after', 'EHLO', '--ehlo', 'bad host name with spaces']);
      // a malformed EHLO is refused with 501 and the session goes on to a clean QUIT
      expect(garbage.out).toMatch(/<\*\* 501 Error: syntax: EHLO hostname/);
      expect(garbage.out).toMatch(/<- {2}221 esa1\.example\.com/);
      // and the listener still takes mail after it
      expect((await swaksAsync(base)).out).toMatch(/<- {2}250 ok: {2}Message \d+ accepted/);
    } finally {
      await engine.stop();
    }
  });
});

function swaksAsync(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = killAfterFile(spawn('swaks', ['--timeout', '10', ...args]));
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

describe('crash safety', () => {
  it('kill -9 mid-flight loses no message answered 250', async () => {
    // downstream suspended: everything accepted stays queued at the kill
    const home = labHome();
    const { child, port } = await spawnFixture('run-engine.mjs', home);
    const summary = await injectTraffic({ host: '127.0.0.1', port }, { count: 200, to: ['example.com'], concurrency: 5 });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(summary.accepted).toBe(200);
    const log = readFileSync(`${home}/logs/mail_logs/mail.current`, 'utf8');
    const highest = (kind: string) => Math.max(...[...log.matchAll(new RegExp(`\\b${kind} (\\d+)`, 'g'))].map((m) => Number(m[1])));
    const again = new MailEngine(new Appliance({ home }));
    await again.start();
    try {
      // IDs go on above the highest the crashed run left in mail_logs (and the spool), without a jump
      expect(again.status().ids).toMatchObject({ mid: highest('MID'), icid: highest('ICID') });
      await waitFor(() => mailboxCount(home) >= 200, 20_000, 'every accepted message in the mailboxes');
      expect(mailboxCount(home)).toBe(200);
    } finally {
      await again.stop();
    }
  });
});

describe('configuration committed while running', () => {
  it('moves the listener at once when its port changes', async () => {
    const { engine, appliance } = await startEngine();
    try {
      const before = engine.listenerAddress().port;
      const { freePort } = await import('../helpers/peers.js');
      const port = await freePort();
      await commitEdit(appliance, (c) => void (c.listener.port = port), 'move the listener');
      await waitFor(() => engine.listenerAddress().port === port);
      expect(port).not.toBe(before);
      const summary = await injectTraffic({ host: '127.0.0.1', port }, { count: 1, to: ['example.com'] });
      expect(summary.accepted).toBe(1);
    } finally {
      await engine.stop();
    }
  });

  it('applies a new size limit, hostname and RAT to the next connection', async () => {
    const { engine, appliance } = await startEngine();
    try {
      const target = { host: '127.0.0.1', port: engine.listenerAddress().port };
      await commitEdit(appliance, (c) => {
        c.listener.maxMessageSize = 2048;
        c.hostname = 'esa2.example.com';
        c.listener.acceptDomains.push('partner.example');
      });
      const big = await injectTraffic(target, { count: 1, to: ['example.com'], size: 8192 });
      expect(big.refused).toBe(1);
      expect(Object.keys(big.reasons).join(' ')).toMatch(/552/);
      expect((await injectTraffic(target, { count: 1, to: ['partner.example'], size: 512 })).accepted).toBe(1);
      const greeting = await new Promise<string>((resolve) => {
        const socket = connect(target.port, target.host);
        socket.once('data', (d) => {
          resolve(String(d));
          socket.end('QUIT\r\n');
        });
      });
      expect(greeting).toMatch(/^220 esa2\.example\.com /);
    } finally {
      await engine.stop();
    }
  });

  it('refuses a commit whose listener address cannot be bound, and keeps listening where it was', async () => {
    const { engine, appliance } = await startEngine();
    try {
      const port = engine.listenerAddress().port;
      await expect(commitEdit(appliance, (c) => void (c.listener.bindAddress = '192.0.2.1'))).rejects.toThrow(
        /cannot listen on 192\.0\.2\.1:0 \(EADDRNOTAVAIL\); it keeps listening on 127\.0\.0\.1:0/,
      );
      expect(appliance.configuration.current.listener.bindAddress).toBe('127.0.0.1');
      // a port another program holds
      const { createServer } = await import('node:net');
      const holder = createServer();
      await new Promise<void>((r) => holder.listen(0, '127.0.0.1', () => r()));
      const taken = (holder.address() as { port: number }).port;
      await expect(commitEdit(appliance, (c) => void (c.listener.port = taken))).rejects.toThrow(/EADDRINUSE/);
      holder.close();
      expect(engine.listenerAddress().port).toBe(port);
      expect((await injectTraffic({ host: '127.0.0.1', port }, { count: 1, to: ['example.com'] })).accepted).toBe(1);
    } finally {
      await engine.stop();
    }
  });
});
