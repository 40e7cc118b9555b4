import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import nodemailer from 'nodemailer';
import type { MailEngine } from '../../src/engine/mail/mail-engine.js';
import { EICAR } from '../../src/engine/test-strings.js';
import { mailLog, startEngine, waitFor } from '../helpers/engine.js';

/** mail_logs without dates and levels. */
const lines = (home: string, engine: MailEngine) =>
  mailLog(home, engine)
    .split('\n')
    .filter(Boolean)
    .map((l) => l.replace(/^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4} \w+: /, ''));

/** Speaks SMTP commands one reply at a time on a plain connection; resolves when the server closes. */
async function speak(port: number, commands: string[]): Promise<void> {
  const socket = connect(port, '127.0.0.1');
  const pending = [...commands];
  socket.on('data', (d: Buffer) => {
    if (!/^\d{3} /m.test(d.toString())) return;
    const next = pending.shift();
    if (next !== undefined) socket.write(`${next}\r\n`);
  });
  await new Promise((resolve) => socket.on('close', resolve));
}

describe('mail_logs as an ESA writes it', () => {
  it("starts as an AsyncOS log file (Begin Logfile, the version and this home's serial number, the time offset), then the start: the version, the system coming up and the listener starting", async () => {
    const { engine, home } = await startEngine();
    try {
      const serial = (JSON.parse(readFileSync(`${home}/state/identity.json`, 'utf8')) as { serial: string }).serial;
      const offset = -new Date().getTimezoneOffset() * 60;
      expect(lines(home, engine).slice(0, 6)).toEqual([
        'Begin Logfile',
        `Version: 15.5.1-055 SN: ${serial}`,
        `Time offset from UTC: ${offset} seconds`,
        `Version: 15.5.1-055 SN: ${serial}`,
        'System is coming up.',
        'SMTP listener IncomingMail starting',
      ]);
    } finally {
      await engine.stop();
    }
  });

  it("logs a clean message from its ICID to its delivery, the scanning engines in the appliance's order", async () => {
    const { engine, home } = await startEngine();
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: engine.listenerAddress().port, ignoreTLS: true });
    try {
      await transport.sendMail({ from: 'ann@outside.example', to: 'bob@example.com', subject: 'quarterly', messageId: '<q1@outside.example>', text: 'clean' });
      await waitFor(() => /Message finished MID \d+ done/.test(mailLog(home, engine)));
      const log = lines(home, engine);
      const icid = /^New SMTP ICID (\d+)/.exec(log.find((l) => l.startsWith('New SMTP ICID'))!)![1];
      const mid = /^Start MID (\d+)/.exec(log.find((l) => l.startsWith('Start MID'))!)![1];
      const dcid = /^New SMTP DCID (\d+)/.exec(log.find((l) => l.startsWith('New SMTP DCID'))!)![1];
      const ours = new RegExp(`\\b(ICID ${icid}|MID ${mid}|DCID ${dcid})\\b`);
      const size = /ready (\d+) bytes/.exec(log.join('\n'))![1];
      expect(
        log.filter((l) => ours.test(l) && l !== `ICID ${icid} close`).map((l) => l.replace(/ address 127\.0\.0\.1 port \d+$/, ' address 127.0.0.1 port N').replace(/Response '.*'$/, "Response '...'")),
      ).toEqual([
        `New SMTP ICID ${icid} interface Management (127.0.0.1) address 127.0.0.1 reverse dns host unknown verified no`,
        `ICID ${icid} ACCEPT SG None match ALL SBRS not enabled country not enabled`,
        `Start MID ${mid} ICID ${icid}`,
        `MID ${mid} ICID ${icid} From: <ann@outside.example>`,
        `MID ${mid} ICID ${icid} RID 0 To: <bob@example.com>`,
        `MID ${mid} Message-ID '<q1@outside.example>'`,
        `MID ${mid} Subject 'quarterly'`,
        `MID ${mid} ready ${size} bytes from <ann@outside.example>`,
        `MID ${mid} matched all recipients for per-recipient policy DEFAULT in the inbound table`,
        `MID ${mid} interim verdict using engine: CASE spam negative`,
        `MID ${mid} using engine: CASE spam negative`,
        `MID ${mid} interim AV verdict using Sophos CLEAN`,
        `MID ${mid} antivirus negative`,
        `MID ${mid} AMP file reputation verdict : SKIPPED (no attachment in message)`,
        `MID ${mid} using engine: GRAYMAIL negative`,
        `MID ${mid} Outbreak Filters: verdict negative`,
        `MID ${mid} queued for delivery`,
        `New SMTP DCID ${dcid} interface 127.0.0.1 address 127.0.0.1 port N`,
        `Delivery start DCID ${dcid} MID ${mid} to RID [0]`,
        `Message done DCID ${dcid} MID ${mid} to RID [0]`,
        `MID ${mid} RID [0] Response '...'`,
        `Message finished MID ${mid} done`,
        `DCID ${dcid} close`,
      ]);
      // the client closes its connection when it likes: after the 250, before or during the delivery
      expect(log.indexOf(`ICID ${icid} close`)).toBeGreaterThan(log.indexOf(`MID ${mid} ready ${size} bytes from <ann@outside.example>`));
    } finally {
      transport.close();
      await engine.stop();
    }
  });

  it('gives AMP a verdict for a message with an attachment, and a virus no line after its anti-virus verdict', async () => {
    const { engine, home } = await startEngine();
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: engine.listenerAddress().port, ignoreTLS: true });
    try {
      await transport.sendMail({ from: 'ann@outside.example', to: 'bob@example.com', subject: 'with file', text: 'see attached', attachments: [{ filename: 'a.txt', content: 'data' }] });
      await transport.sendMail({ from: 'ann@outside.example', to: 'bob@example.com', subject: 'virus', text: EICAR });
      await waitFor(() => /Message aborted MID \d+ Dropped by antivirus/.test(mailLog(home, engine)) && /Message finished MID \d+ done/.test(mailLog(home, engine)));
      const log = lines(home, engine);
      const mid = (subject: string) => /^MID (\d+) Subject/.exec(log.find((l) => l.endsWith(`Subject '${subject}'`))!)![1];
      expect(log).toContain(`MID ${mid('with file')} AMP file reputation verdict : CLEAN`);
      const virus = mid('virus');
      expect(log.filter((l) => l.startsWith(`MID ${virus} `) && / (verdict|engine|antivirus)/.test(l))).toEqual([
        `MID ${virus} interim verdict using engine: CASE spam negative`,
        `MID ${virus} using engine: CASE spam negative`,
        `MID ${virus} interim AV verdict using Sophos VIRAL`,
        `MID ${virus} antivirus positive 'EICAR-AV-Test'`,
      ]);
    } finally {
      transport.close();
      await engine.stop();
    }
  });

  it('logs the TLS a client starts on the listener', async () => {
    const { engine, home } = await startEngine();
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: engine.listenerAddress().port, requireTLS: true, tls: { rejectUnauthorized: false } });
    try {
      await transport.sendMail({ from: 'ann@outside.example', to: 'bob@example.com', text: 'over TLS' });
      const log = lines(home, engine);
      const icid = /^New SMTP ICID (\d+)/.exec(log.find((l) => l.startsWith('New SMTP ICID'))!)![1];
      const tls = log.find((l) => l.startsWith(`ICID ${icid} TLS`));
      expect(tls).toMatch(new RegExp(`^ICID ${icid} TLS success protocol TLSv1\\.[23] cipher [A-Z0-9_-]+$`));
      // after the ACCEPT line, before the transaction
      expect(log.indexOf(tls!)).toBeGreaterThan(log.indexOf(`ICID ${icid} ACCEPT SG None match ALL SBRS not enabled country not enabled`));
      expect(log.indexOf(tls!)).toBeLessThan(log.findIndex((l) => l.startsWith('Start MID')));
    } finally {
      transport.close();
      await engine.stop();
    }
  });

  it('aborts a transaction whose recipients were all refused, or that was reset or cut before DATA ended', async () => {
    const { engine, home } = await startEngine();
    const { port } = engine.listenerAddress();
    try {
      // all refused, then QUIT; then a reset transaction and one left open at QUIT on one connection
      await speak(port, ['HELO c.test', 'MAIL FROM:<a@x.test>', 'RCPT TO:<b@nowhere.test>', 'QUIT']);
      await speak(port, ['HELO c.test', 'MAIL FROM:<a@x.test>', 'RCPT TO:<b@example.com>', 'RSET', 'MAIL FROM:<c@x.test>', 'RCPT TO:<d@example.com>', 'QUIT']);
      await waitFor(() => (mailLog(home, engine).match(/ICID \d+ close/g) ?? []).length === 2);
      const log = lines(home, engine);
      const mids = log.filter((l) => l.startsWith('Start MID')).map((l) => Number(/MID (\d+)/.exec(l)![1]));
      expect(mids).toHaveLength(3);
      for (const mid of mids) {
        const at = log.indexOf(`Message aborted MID ${mid} Receiving aborted`);
        expect(at, `MID ${mid}`).toBeGreaterThan(0);
        expect(log[at + 1]).toBe(`Message finished MID ${mid} aborted`);
      }
      // the refused one before its connection's close; the reset one before the next Start MID
      expect(log.indexOf(`Message aborted MID ${mids[0]} Receiving aborted`)).toBeLessThan(log.findIndex((l) => /^ICID \d+ close$/.test(l)));
      expect(log.indexOf(`Message aborted MID ${mids[1]} Receiving aborted`)).toBeLessThan(
        log.indexOf(`Start MID ${mids[2]} ICID ${/ICID (\d+)/.exec(log.find((l) => l.startsWith(`Start MID ${mids[2]}`))!)![1]}`),
      );
      expect(log.filter((l) => l.includes('ready'))).toEqual([]);
    } finally {
      await engine.stop();
    }
  });
});
