import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { findeventCommand } from '../../src/commands/findevent.js';
import { Appliance } from '../../src/engine/appliance.js';
import type { MailEvent, MailEventBody } from '../../src/engine/mail/mail-events.js';
import { rolledFileName } from '../../src/engine/logs/log-files.js';
import { asyncosDate } from '../../src/engine/time-format.js';
import { TrackingStore } from '../../src/engine/tracking-store.js';
import { expectGolden } from '../helpers/golden.js';
import { runScripted, tempHome } from '../helpers/scripted.js';

const at = (s: number) => Date.UTC(2024, 1, 16, 21, 19, s);
const SETD = 'journal@beta.cmd.cisco.com';
const TLS_FAILURE = { kind: 'tls', cause: 'no-starttls', detail: 'x' } as const;

// A delivered original (MID 10), its journal copy (MID 11) delivered to SETD, and a copy (MID 13,
// of MID 12) that failed with a TLS error: as the engine tells them.
const EVENTS: [number, MailEventBody][] = [
  [20, { type: 'icid.opened', icid: 5, interfaceName: 'Management', bindAddress: '127.0.0.1', remoteIp: '127.0.0.1' }],
  [20, { type: 'message.started', mid: 10, icid: 5, from: 'alice@outside.example' }],
  [20, { type: 'recipient.accepted', mid: 10, icid: 5, rid: 0, address: 'bob@example.com' }],
  [
    20,
    { type: 'accepted', mid: 10, icid: 5, from: 'alice@outside.example', rcpts: [{ rid: 0, address: 'bob@example.com' }], messageId: '<abc@outside.example>', subject: 'quarterly report', size: 100 },
  ],
  [22, { type: 'journal.enqueued', mid: 11, originalMid: 10, messageId: '<abc@outside.example>', intake: SETD }],
  [23, { type: 'dcid.opened', dcid: 7, queue: 'the.tdc.queue', localAddress: '127.0.0.1', address: '127.0.0.1', port: 2465 }],
  [23, { type: 'tls.ok', dcid: 7, protocol: 'TLSv1.2', cipher: 'ECDHE-RSA-AES128-GCM-SHA256' }],
  [23, { type: 'delivery.started', dcid: 7, mid: 11, queue: 'the.tdc.queue', rids: [0] }],
  [24, { type: 'delivered', dcid: 7, mid: 11, queue: 'the.tdc.queue', rids: [0], response: '250 ok' }],
  [24, { type: 'finished', mid: 11, kind: 'journal', how: 'done' }],
  [40, { type: 'message.started', mid: 12, icid: 6, from: 'carol@outside.example' }],
  [41, { type: 'accepted', mid: 12, icid: 6, from: 'carol@outside.example', rcpts: [{ rid: 0, address: 'dan@example.com' }], messageId: '<def@outside.example>', subject: 'lunch', size: 100 }],
  [41, { type: 'journal.enqueued', mid: 13, originalMid: 12, messageId: '<def@outside.example>', intake: SETD }],
  [42, { type: 'tls.failed', dcid: 8, mid: 13, address: '127.0.0.1', cause: 'no-starttls' }],
  [42, { type: 'bounced', dcid: 8, mid: 13, queue: 'the.tdc.queue', rids: [0], failure: TLS_FAILURE, bucket: 'other' }],
  // MID 20 to two recipients of two policies: split, MID 21 takes the second (RID 1)
  [50, { type: 'message.started', mid: 20, icid: 9, from: 'erin@elsewhere.example' }],
  [50, { type: 'recipient.accepted', mid: 20, icid: 9, rid: 0, address: 'frank@example.com' }],
  [50, { type: 'recipient.accepted', mid: 20, icid: 9, rid: 1, address: 'gina@partner.example' }],
  [
    50,
    {
      type: 'accepted',
      mid: 20,
      icid: 9,
      from: 'erin@elsewhere.example',
      rcpts: [
        { rid: 0, address: 'frank@example.com' },
        { rid: 1, address: 'gina@partner.example' },
      ],
      messageId: '<ghi@elsewhere.example>',
      subject: 'two policies',
      size: 100,
    },
  ],
  [51, { type: 'split', mid: 20, newMid: 21, policy: 'partner', rids: [1] }],
  [51, { type: 'policy.matched', mid: 20, policy: 'DEFAULT' }],
  [51, { type: 'policy.matched', mid: 21, policy: 'partner' }],
];

const homes: string[] = [];
afterEach(() => {
  for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true });
});

async function appliance(): Promise<Appliance> {
  const home = tempHome();
  homes.push(home);
  const a = new Appliance({ home });
  const store = new TrackingStore(a.paths.tracking);
  for (const [s, body] of EVENTS) store.record({ ...body, at: at(s) } as MailEvent);
  await store.close();
  return a;
}

describe('findevent (message tracking)', () => {
  it('shows a delivered message with its connection lines, in mail_logs form', async () => {
    const { transcript } = await runScripted(findeventCommand, [], { appliance: await appliance(), flags: { mid: '10' }, interactive: false });
    expect(transcript).toContain('Fri Feb 16 21:19:20 2024 Info: New SMTP ICID 5 interface Management (127.0.0.1)');
    expect(transcript).toContain("Info: MID 10 Subject 'quarterly report'");
    expect(transcript).not.toContain('MID 12');
  });

  it('shows the TDC tracking line of a journaled copy in the tracking timestamp form', async () => {
    const { transcript } = await runScripted(findeventCommand, [], { appliance: await appliance(), flags: { mid: '11' }, interactive: false });
    expect(transcript).toContain('DCID 7 TLS success protocol TLSv1.2');
    expect(transcript).toContain('16 Feb 2024 21:19:24 (GMT +00:00)  TDC: Message 11 was successfully delivered for scanning with Cisco Secure Email Threat Defense.');
  });

  it("tracking an original shows its journal copy's TDC line", async () => {
    const { transcript } = await runScripted(findeventCommand, [], { appliance: await appliance(), flags: { mid: '10' }, interactive: false });
    expect(transcript).toContain('Message Tracking (MID 10):\n16 Feb 2024 21:19:24 (GMT +00:00)  TDC: Message 11 was successfully delivered for scanning with Cisco Secure Email Threat Defense.');
  });

  it('shows the TDC reason of a failed copy, with the DCID lines of the TLS failure', async () => {
    const { transcript } = await runScripted(findeventCommand, [], { appliance: await appliance(), flags: { messageId: 'def@' }, interactive: false });
    expect(transcript).toContain('TDC: Message 13 could not be delivered to Cisco Secure Email Threat Defense: TLS Error.');
    expect(transcript).toContain('Info: DCID 8 IP 127.0.0.1 TLS was required but could not be successfully negotiated');
    expect(transcript).toContain('Info: TDC: MID 13 delivery failed to Cisco Secure Email Threat Defense:TLS Error.');
  });

  it('finds by Message-ID through the dialog, listing the original and its copy', async () => {
    const { transcript } = await runScripted(findeventCommand, ['3', 'quarterly', '', ''], { appliance: await appliance() });
    expect(transcript).toContain("MID 10 Subject 'quarterly report'");
    const byId = await runScripted(findeventCommand, [], { appliance: await appliance(), flags: { messageId: 'abc@outside', json: true }, interactive: false });
    expect(JSON.parse(byId.transcript).map((m: { mid: number }) => m.mid)).toEqual([10, 11]);
  });

  it('asks for the log and which of its files to search, as the appliance does (golden)', async () => {
    const a = await appliance();
    // the rolled file covers the first message (second 20 to 30), mail.current the second (from 40)
    const dir = `${a.paths.logs}/mail_logs`;
    const rolled = rolledFileName('mail', at(20));
    mkdirSync(dir, { recursive: true });
    writeFileSync(`${dir}/${rolled}`, `${asyncosDate(at(20))} Info: Begin Logfile\n${asyncosDate(at(30))} Info: Logfile rolled over\n`);
    writeFileSync(`${dir}/mail.current`, `${asyncosDate(at(40))} Info: Begin Logfile\n${asyncosDate(at(42))} Info: Start MID 12 ICID 6\n`);
    const selected = await runScripted(findeventCommand, ['1', 'outside\\.example', '', '2', '1'], { appliance: a });
    expectGolden('findevent.txt', selected.transcript);
    const current = await runScripted(findeventCommand, ['1', 'outside\\.example', '1', ''], { appliance: a });
    expect(current.transcript).toContain("Info: MID 12 Subject 'lunch'");
    expect(current.transcript).not.toContain('MID 10');
    const all = await runScripted(findeventCommand, ['1', 'outside\\.example', '1', '1', ''], { appliance: a });
    expect(all.transcript).toContain('1. MID 10\n2. MID 12\n3. All of the above');
    // the batch form of the same choice
    const byFlag = await runScripted(findeventCommand, [], { appliance: a, flags: { from: 'outside', logFile: rolled, json: true }, interactive: false });
    expect(JSON.parse(byFlag.transcript).map((m: { mid: number }) => m.mid)).toEqual([10]);
    await expect(runScripted(findeventCommand, [], { appliance: a, flags: { mid: '10', logFile: 'mail_logs.7' }, interactive: false })).rejects.toThrow(
      `No mail log file "mail_logs.7". Available: ${rolled}, mail.current.`,
    );
  });

  it('finds a split part by its own recipient only, and the original by the recipients it kept', async () => {
    const a = await appliance();
    const mids = async (flags: Record<string, unknown>) =>
      JSON.parse((await runScripted(findeventCommand, [], { appliance: a, flags: { ...flags, json: true }, interactive: false })).transcript).map((m: { mid: number }) => m.mid);
    expect(await mids({ to: 'gina@' })).toEqual([21]);
    expect(await mids({ to: 'frank@' })).toEqual([20]);
    // the part is the message's too: its sender, subject and Message-ID find it
    expect(await mids({ subject: 'two policies' })).toEqual([20, 21]);
    const { transcript } = await runScripted(findeventCommand, [], { appliance: a, flags: { mid: '21' }, interactive: false });
    expect(transcript).toContain('Info: MID 20 was split creating MID 21 due to a per-recipient policy partner in the inbound table');
    expect(transcript).toContain('Info: MID 21 matched all recipients for per-recipient policy partner in the inbound table');
  });

  it('shows the newest 1,000 messages of a search that matches more, and says so', async () => {
    const a = await appliance();
    const store = new TrackingStore(a.paths.tracking);
    for (let mid = 100; mid < 1105; mid++) store.record({ type: 'message.started', mid, icid: 50, from: 'bulk@sender.example', at: at(60) });
    await store.close();
    const { transcript } = await runScripted(findeventCommand, [], { appliance: a, flags: { from: 'bulk@', json: true }, interactive: false });
    const mids = JSON.parse(transcript).map((m: { mid: number }) => m.mid);
    expect(mids).toHaveLength(1000);
    expect([mids[0], mids.at(-1)]).toEqual([105, 1104]);
    const text = await runScripted(findeventCommand, [], { appliance: a, flags: { from: 'bulk@' }, interactive: false });
    expect(text.transcript).toMatch(/^More than 1,000 messages match: the newest 1,000 are shown\. Narrow the search to see the others\.\n/);
  });

  it('respects the time range and reports no match', async () => {
    const { transcript } = await runScripted(findeventCommand, [], { appliance: await appliance(), flags: { from: 'alice', since: '2024-02-16T21:19:30Z' }, interactive: false });
    expect(transcript).toBe('No matching message IDs were found.\n');
  });

  it('skips a torn last record (a crash mid-write) and says so', async () => {
    const a = await appliance();
    const { appendFileSync } = await import('node:fs');
    appendFileSync(`${a.paths.tracking}/events.jsonl`, '{"type":"delivered","mid":1');
    const { transcript } = await runScripted(findeventCommand, [], { appliance: a, flags: { mid: '11' }, interactive: false });
    expect(transcript).toContain('Warning: 1 message tracking record(s) could not be read and were skipped.');
    expect(transcript).toContain('TDC: Message 11 was successfully delivered');
  });
});
