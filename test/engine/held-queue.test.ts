import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { TDC_QUEUE, type ApplianceConfig } from '../../src/engine/config/model.js';
import { MailEngine } from '../../src/engine/mail/mail-engine.js';
import type { MailEvent } from '../../src/engine/mail/mail-events.js';
import { injectTraffic } from '../../src/lab/traffic.js';
import { INTAKE, mailLog, startEngine, startIntake, waitFor } from '../helpers/engine.js';
import { tempHome } from '../helpers/scripted.js';

// Queues longer than what a destination keeps in memory (hotRecords, 1,000 by default; 4 here):
// the rest wait on disk only, in their queue files, and are read back as the queue drains.
const HOT = 4;

const queueDir = (home: string) => join(home, 'spool', 'queue');
const queueFiles = (home: string) => readdirSync(queueDir(home)).filter((f) => f.endsWith('.json'));
const host = (engine: MailEngine, name: string) => engine.hosts().find((h) => h.host === name);

describe('a queue longer than what it keeps in memory', () => {
  it('journals every message of a held the.tdc.queue, in order, through deliveries of the originals and a restart', async () => {
    const home = tempHome();
    const intake = await startIntake(home);
    const edit = (c: ApplianceConfig) => {
      c.tdc = { enabled: true, intakeAddress: INTAKE };
      c.smtpRoutes.push({ domain: 'intake.test', destinations: [`127.0.0.1:${intake.port}`] });
    };
    const started = await startEngine(edit, { home, hotRecords: HOT });
    const appliance = started.appliance;
    let engine = started.engine;
    try {
      engine.suspendDelivery([TDC_QUEUE]);
      await injectTraffic(engine.listenerAddress(), { count: 20, to: ['example.com'], concurrency: 1 });
      // the originals go; each one's queue file is rewritten around its journal copy, most of them on disk only
      await waitFor(() => host(engine, 'example.com')?.deliveredRecipients === 20, 20_000, 'the originals');
      const held = host(engine, TDC_QUEUE)!;
      expect(held).toMatchObject({ activeRecipients: 20, unattemptedRecipients: 20 });
      const queued = engine.queuedRecipients({ all: true });
      expect(queued.map((r) => r.subject)).toEqual(Array.from({ length: 20 }, (_, i) => expect.stringMatching(new RegExp(` ${i + 1}$`)) as unknown as string));
      expect(held.oldestMessage).toBe(Math.min(...queued.map((r) => r.queuedAt)));
      // each rewrite follows its delivery: wait for the last of them
      const kinds = () => queueFiles(home).map((f) => (JSON.parse(readFileSync(join(queueDir(home), f), 'utf8')) as { kind: string }[]).map((r) => r.kind).join());
      await waitFor(() => kinds().length === 20 && kinds().every((k) => k === 'journal'), 5_000, 'the queue files');

      // a restart reads the spool back: still held, still 20
      await engine.stop();
      engine = new MailEngine(appliance, { hotRecords: HOT });
      engine.suspendDelivery([TDC_QUEUE]);
      await engine.start();
      expect(host(engine, TDC_QUEUE)).toMatchObject({ activeRecipients: 20 });

      engine.resumeDelivery([TDC_QUEUE]);
      await waitFor(() => intake.received.length === 20, 20_000, 'the journals');
      const subjects: string[] = [];
      for (const m of intake.received) {
        const journal = await simpleParser(m.raw);
        const attached = journal.attachments.find((a) => a.contentType === 'message/rfc822')!;
        subjects.push((await simpleParser(attached.content)).subject!);
      }
      // oldest first, each journal carrying its own original
      expect(subjects.map((s) => Number(s.split(' ').at(-1)))).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      await waitFor(() => readdirSync(join(home, 'spool', 'msg')).length === 0 && readdirSync(queueDir(home)).length === 0, 5_000, 'an empty spool');
      expect(host(engine, TDC_QUEUE)).toMatchObject({ activeRecipients: 0, oldestMessage: null });
    } finally {
      await engine.stop();
      await intake.close();
      rmSync(home, { recursive: true, force: true });
    }
  }, 60_000);

  it('deletes recipients on disk only by sender, and sets aside a message whose queue file was damaged', async () => {
    const { engine, home } = await startEngine(() => undefined, { hotRecords: HOT });
    const events: MailEvent[] = [];
    engine.events.on((e) => events.push(e));
    try {
      engine.suspendDelivery('ALL');
      await injectTraffic(engine.listenerAddress(), { count: 12, to: ['example.com'], from: ['a@outside.example', 'b@outside.example'], concurrency: 1 });
      await waitFor(() => host(engine, 'example.com')?.activeRecipients === 12, 10_000, 'the queue');
      // every queue file written (those of the records in memory a second after the others)
      await waitFor(() => queueFiles(home).length === 12, 5_000, 'the queue files');
      // the newest message waits on disk only; its queue file is damaged by hand
      const newest = queueFiles(home).sort((a, b) => Number.parseInt(b, 10) - Number.parseInt(a, 10))[0]!;
      writeFileSync(join(queueDir(home), newest), '[{"mid": "not a record"}]');

      // the senders alternate: the newest is b's, set aside when it is read back, not deleted
      expect(engine.deleteRecipients({ sender: 'b@outside.example', caseSensitive: true })).toBe(5);
      const quarantined = events.filter((e) => e.type === 'spool.quarantined');
      expect(quarantined).toEqual([expect.objectContaining({ mid: Number.parseInt(newest, 10), problem: expect.stringContaining(newest) as unknown })]);
      const aside = join(home, 'spool', 'quarantine');
      expect(readdirSync(aside).sort()).toEqual([`${Number.parseInt(newest, 10)}.eml`, `${Number.parseInt(newest, 10)}.queue.json`]);
      expect(mailLog(home, engine)).toContain(`MID ${Number.parseInt(newest, 10)}`);
      expect(host(engine, 'example.com')).toMatchObject({ activeRecipients: 6, deletedRecipients: 5 });
      expect(engine.queuedRecipients({ all: true }).every((r) => r.sender === 'a@outside.example')).toBe(true);

      engine.resumeDelivery('ALL');
      await waitFor(() => host(engine, 'example.com')?.deliveredRecipients === 6, 10_000, 'the deliveries');
      await waitFor(() => readdirSync(join(home, 'spool', 'msg')).length === 0, 5_000, 'an empty spool');
      expect(existsSync(join(aside, `${Number.parseInt(newest, 10)}.eml`))).toBe(true);
    } finally {
      await engine.stop();
      rmSync(home, { recursive: true, force: true });
    }
  }, 60_000);
});
