import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import MailComposer from 'nodemailer/lib/mail-composer';
import { TDC_QUEUE } from '../../src/engine/config/model.js';
import { inspect, TestStringSearch } from '../../src/engine/mail/scanning.js';
import { EICAR, GTUBE } from '../../src/engine/test-strings.js';
import { INTAKE, mailLog, startEngine, startIntake, waitFor } from '../helpers/engine.js';
import { tempHome } from '../helpers/scripted.js';

const run = promisify(execFile);

/** A message as nodemailer writes it (the MIME encodings real mail programs use). */
const compose = (mail: ConstructorParameters<typeof MailComposer>[0]) => new MailComposer({ from: 'ann@outside.example', to: 'bob@example.com', subject: 's', ...mail }).compile().build();

describe('the scanning engines see the decoded MIME parts', () => {
  it('swaks --attach: EICAR and GTUBE in attachments are positives, dropped or marked, and none of them is journaled', async () => {
    const home = tempHome();
    const intake = await startIntake(home);
    const { engine } = await startEngine(
      (c) => {
        c.tdc = { enabled: true, intakeAddress: INTAKE };
        c.smtpRoutes.push({ domain: 'intake.test', destinations: [`127.0.0.1:${intake.port}`] });
      },
      { home, factor: 40 },
    );
    try {
      writeFileSync(`${home}/eicar.com`, EICAR);
      writeFileSync(`${home}/gtube.txt`, GTUBE);
      const swaks = (subject: string, ...args: string[]) =>
        run('swaks', [
          '--server',
          '127.0.0.1',
          '--port',
          String(engine.listenerAddress().port),
          '--from',
          'ann@outside.example',
          '--to',
          'bob@example.com',
          '--header',
          `Subject: ${subject}`,
          '--body',
          'see attached',
          ...args,
        ]);
      // swaks attaches files as application/octet-stream in base64
      await swaks('virus attached', '--attach', `@${home}/eicar.com`);
      await swaks('spam attached', '--attach-type', 'text/plain', '--attach', `@${home}/gtube.txt`);
      writeFileSync(`${home}/clean.txt`, 'nothing here');
      await swaks('clean attached', '--attach', `@${home}/clean.txt`);
      await waitFor(
        () => /Subject "clean attached"[\s\S]*TDC: .*successfully delivered/.test(mailLog(home, engine)) && /antivirus positive/.test(mailLog(home, engine)),
        20_000,
        'the clean journal and the virus verdict',
      );
      const log = mailLog(home, engine);
      const mid = (subject: string) => new RegExp(`MID (\\d+) Subject "${subject}"`).exec(log)![1];
      expect(log).toMatch(new RegExp(`MID ${mid('virus attached')} antivirus positive 'EICAR-AV-Test'`));
      expect(log).toMatch(new RegExp(`MID ${mid('virus attached')} Dropped by antivirus`));
      expect(log).toMatch(new RegExp(`MID ${mid('spam attached')} using engine: CASE spam positive`));
      expect(log).toMatch(new RegExp(`MID ${mid('clean attached')} using engine: CASE spam negative`));
      // only the clean message reached the intake
      expect(intake.received).toHaveLength(1);
      expect(intake.received[0]!.raw.toString()).toContain('clean attached');
      expect(engine.hosts().find((h) => h.host === TDC_QUEUE)?.deliveredRecipients).toBe(1);
    } finally {
      await engine.stop();
      await intake.close();
    }
  });

  it('finds the test strings in base64 and quoted-printable parts and in a forwarded message, and nothing in clean mail', async () => {
    const attached = await compose({ text: 'see attached', attachments: [{ filename: 'eicar.com', content: EICAR, contentType: 'application/octet-stream' }] });
    expect(attached.includes(EICAR)).toBe(false); // the part is base64 on the wire
    expect(await inspect(attached)).toEqual({ gtube: false, eicar: true, attachment: true });
    // a long line of text goes quoted-printable (soft line breaks cut the string)
    const qp = await compose({ text: `${'x'.repeat(70)}${GTUBE}`, textEncoding: 'quoted-printable' });
    expect(qp.includes(GTUBE)).toBe(false);
    expect((await inspect(qp)).gtube).toBe(true);
    const html = await compose({ html: `<p>${GTUBE}</p>`, textEncoding: 'base64' });
    expect((await inspect(html)).gtube).toBe(true);
    const forwarded = await compose({ text: 'fwd', attachments: [{ filename: 'fwd.eml', contentType: 'message/rfc822', content: attached, encoding: 'base64' }] });
    expect(await inspect(forwarded)).toMatchObject({ eicar: true, gtube: false });
    const clean = await compose({ text: 'hello', attachments: [{ filename: 'a.bin', content: Buffer.alloc(200_000, 7) }] });
    expect(await inspect(clean)).toEqual({ gtube: false, eicar: false, attachment: true });
  });

  it('finds a test string cut across two chunks of a decoded part', () => {
    const search = new TestStringSearch();
    for (const chunk of [`head ${EICAR.slice(0, 30)}`, EICAR.slice(30, 40), `${EICAR.slice(40)} tail`]) search.add(Buffer.from(chunk, 'latin1'));
    expect(search).toMatchObject({ eicar: true, gtube: false });
  });

  it('finds EICAR at the end of a 10 MB attachment', async () => {
    // ~7.3 MB of binary, ~10 MB in base64: the listener's default size limit
    const big = Buffer.alloc(7_300_000);
    for (let i = 0; i < big.length; i++) big[i] = (i * 2_654_435_761) >>> 24;
    const raw = await compose({ text: 'big', attachments: [{ filename: 'big.bin', content: Buffer.concat([big, Buffer.from(EICAR)]) }] });
    expect(raw.length).toBeGreaterThan(9_900_000);
    expect((await inspect(raw)).eicar).toBe(true);
  });

  it('reads a 10 MB message a slice at a time, the event loop turning after each', async () => {
    const raw = Buffer.concat([Buffer.from('Subject: long\r\n\r\n'), Buffer.alloc(10_000_000, 'a'), Buffer.from(GTUBE)]);
    let turns = 0;
    let scanning = true;
    const count = () => {
      turns++;
      if (scanning) setImmediate(count);
    };
    setImmediate(count);
    try {
      expect((await inspect(raw)).gtube).toBe(true);
    } finally {
      scanning = false;
    }
    // 64 KB slices: ~150 of them
    expect(turns).toBeGreaterThan(140);
  });
});
