import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { MailEvent, MailEventBody } from '../../src/engine/mail/mail-events.js';
import { findeventCommand } from '../../src/commands/findevent.js';
import { TDC_QUEUE, type ApplianceConfig } from '../../src/engine/config/model.js';
import { MailEngine } from '../../src/engine/mail/mail-engine.js';
import { MessageTracking } from '../../src/engine/message-tracking.js';
import { readTracking, TrackingStore } from '../../src/engine/tracking-store.js';
import { injectTraffic } from '../../src/lab/traffic.js';
import { INTAKE, startEngine, startIntake, waitFor } from '../helpers/engine.js';
import { runScripted, tempHome } from '../helpers/scripted.js';

describe('message tracking (real engine, tracking store on disk)', () => {
  it('is built from events: it survives a restart and mail_logs being rotated away or reworded', async () => {
    const home = tempHome();
    try {
      const intake = await startIntake(home);
      const route = (c: ApplianceConfig) => {
        c.tdc = { enabled: true, intakeAddress: INTAKE };
        c.smtpRoutes.push({ domain: 'intake.test', destinations: [`127.0.0.1:${intake.port}`] });
      };
      const first = await startEngine(route, { home });
      await injectTraffic(first.engine.listenerAddress(), { count: 2, to: ['example.com'], subject: 'board minutes' });
      const tdc = () => first.engine.hosts().find((h) => h.host === TDC_QUEUE);
      const originalHost = () => first.engine.hosts().find((h) => h.host === 'example.com');
      // both the journal copies and the originals: a stop mid-delivery would leave an original delayed
      await waitFor(() => tdc()?.deliveredRecipients === 2 && originalHost()?.deliveredRecipients === 2);
      await first.engine.stop();

      // Given mail_logs that no longer says what happened: its files gone, and a current file
      // whose lines are worded differently (as a change of log wording would leave them)
      for (const f of readdirSync(`${home}/logs`)) rmSync(`${home}/logs/${f}`, { recursive: true });
      mkdirSync(`${home}/logs/mail_logs`);
      writeFileSync(`${home}/logs/mail_logs/mail.current`, 'Fri Feb 16 21:19:24 2024 Info: TDC: copy 1 went to SETD fine\n');
      // the store holds typed events, not log text
      expect(readFileSync(`${home}/tracking/events.jsonl`, 'utf8')).not.toContain('TDC:');

      // When the appliance starts again
      const second = new MailEngine(first.appliance);
      await second.start();
      try {
        // Then tracking still tells each original's journal delivery
        expect(readTracking(first.appliance.paths.tracking).unreadable).toBe(0);
        // the running engine's index, built at start from the store
        const tracking = second.tracking;
        const originals = await tracking.search({ subject: /board minutes/, received: true });
        expect(originals).toHaveLength(2);
        for (const m of originals)
          expect((await tracking.events(m.mid)).tdc).toEqual([expect.stringMatching(/ {2}TDC: Message \d+ was successfully delivered for scanning with Cisco Secure Email Threat Defense\.$/)]);
        // and a reader of the store with no appliance running finds the same
        expect((await (await MessageTracking.reader(first.appliance.paths.tracking)).search({ subject: /board minutes/, received: true })).map((m) => m.mid)).toEqual(originals.map((m) => m.mid));
        const { transcript } = await runScripted(findeventCommand, [], { appliance: first.appliance, flags: { mid: String(originals[0]!.mid) }, interactive: false });
        expect(transcript).toMatch(/Message Tracking \(MID \d+\):\n.*TDC: Message \d+ was successfully delivered for scanning/);
        expect(transcript).toMatch(/Info: Message done DCID \d+ MID \d+ to RID \[0\]/);
      } finally {
        await second.stop();
        await intake.close();
      }
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});

/** The events one received and journaled message makes, as the engine records them. */
function messageEvents(n: number, at: number): MailEvent[] {
  const [mid, copy, icid, dcid] = [2 * n + 1, 2 * n + 2, n + 1, n + 1];
  const rcpts = [{ rid: 0, address: `rcpt${n}@example.com` }];
  const bodies: MailEventBody[] = [
    { type: 'icid.opened', icid, interfaceName: 'Management', bindAddress: '127.0.0.1', remoteIp: '127.0.0.1', access: 'ACCEPT', match: 'ALL' },
    { type: 'message.started', mid, icid, from: `sender${n}@outside.example` },
    { type: 'recipient.accepted', mid, icid, rid: 0, address: rcpts[0]!.address },
    { type: 'accepted', mid, icid, from: `sender${n}@outside.example`, rcpts, messageId: `<${n}@outside.example>`, subject: `message ${n}`, size: 100 },
    { type: 'icid.closed', icid },
    { type: 'journal.enqueued', mid: copy, originalMid: mid, messageId: `<${n}@outside.example>`, intake: 'journal@beta.cmd.cisco.com' },
    { type: 'queued', mid },
    { type: 'dcid.opened', dcid, queue: 'the.tdc.queue', localAddress: '127.0.0.1', address: '127.0.0.1', port: 2465 },
    { type: 'delivery.started', dcid, mid: copy, queue: 'the.tdc.queue', rids: [0] },
    { type: 'delivered', dcid, mid: copy, queue: 'the.tdc.queue', rids: [0], response: '250 ok' },
    { type: 'dcid.closed', dcid },
  ];
  return bodies.map((b) => ({ ...b, at }) as MailEvent);
}

describe('the message tracking index', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const storeDir = () => {
    const d = `${tempHome()}/tracking`;
    dirs.push(d.replace(/\/tracking$/, ''));
    return d;
  };

  it("reads a message's events by position, across the store's rotations, while it writes and after a restart", async () => {
    const dir = storeDir();
    const at = Date.UTC(2024, 1, 16, 21, 19, 20);
    // 4 KB files: 40 messages fill several, rotated while the index points into them
    const writer = MessageTracking.writer(dir, 4096);
    await writer.start();
    for (let n = 0; n < 40; n++) for (const e of messageEvents(n, at + n * 1000)) writer.record(e);
    const check = async (t: MessageTracking, newest = [79, 77, 75]) => {
      for (const n of [0, 17, 39]) {
        const [m] = await t.search({ subject: new RegExp(`^message ${n}$`) });
        expect(m).toMatchObject({ mid: 2 * n + 1, kind: 'received', sender: `sender${n}@outside.example`, recipients: [`rcpt${n}@example.com`], copies: [2 * n + 2] });
        const { events, tdc } = await t.events(m!.mid);
        expect(events.map((e) => e.type)).toEqual(['icid.opened', 'message.started', 'recipient.accepted', 'accepted', 'icid.closed', 'queued']);
        expect(events.every((e) => !('mid' in e) || e.mid === m!.mid)).toBe(true);
        expect(tdc).toEqual([expect.stringContaining(`TDC: Message ${2 * n + 2} was successfully delivered for scanning`)]);
      }
      // newest first, to the limit
      expect((await t.search({ received: true }, 3)).map((m) => m.mid)).toEqual(newest);
    };
    await check(writer);
    await writer.close();
    expect(readdirSync(dir).length).toBeGreaterThan(3);
    // a new writer (a restart) and a reader (no appliance running) index the rotated files alike
    const again = MessageTracking.writer(dir, 4096);
    // mail recorded while the index of the earlier files is still being built comes after them
    void again.start();
    for (const e of messageEvents(40, at + 40_000)) again.record(e);
    await check(again, [81, 79, 77]);
    await again.close();
    await check(await MessageTracking.reader(dir), [81, 79, 77]);
  });

  it('is built in slices: the event loop turns while the index of a large store is built', async () => {
    const dir = storeDir();
    const store = new TrackingStore(dir);
    for (let n = 0; n < 3000; n++) for (const e of messageEvents(n, Date.now())) store.record(e);
    await store.close();
    let turns = 0;
    let building = true;
    const spin = () => {
      turns++;
      if (building) setImmediate(spin);
    };
    setImmediate(spin);
    const t = await MessageTracking.reader(dir);
    building = false;
    expect(t.size).toBe(6000);
    expect(turns).toBeGreaterThan(1);
  });
});
