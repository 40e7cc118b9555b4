import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Spool, type QueueRecord, type ReceivedRecord } from '../../src/engine/mail/spool.js';
import { LOG_SPILL_MS } from '../../src/engine/mail/spool-log.js';
import { removeAfterFile } from '../helpers/cleanup.js';
import { waitFor } from '../helpers/engine.js';
import { tempHome } from '../helpers/scripted.js';
import { canMountDisk, smallDisk } from '../helpers/small-disk.js';

const received = (mid: number, body: Buffer): ReceivedRecord => ({
  mid,
  icid: 1,
  from: 'a@outside.example',
  rcpts: [{ rid: 0, address: 'u@example.com' }],
  remoteIp: '127.0.0.1',
  receivedAt: 0,
  size: body.length,
  messageId: `<${mid}@x>`,
  subject: 's',
});
const queued = (mid: number, file: string, destination: string): QueueRecord => ({
  mid,
  file,
  kind: 'original',
  destination,
  from: 'a@outside.example',
  rcpts: [{ rid: 0, address: `u@${destination}` }],
  messageId: '',
  subject: '',
  addHeaders: [],
  subjectPrefix: '',
  size: 1,
  queuedAt: 0,
  attempts: 0,
  softBounces: 0,
  nextAttemptAt: 0,
});

/** A message's frame in a spool log file, as the spool writes it. */
const logFrame = (mid: number) => {
  const body = Buffer.from(`Subject: ${mid}\r\n\r\nbody ${mid}\r\n`);
  const content = Buffer.concat([Buffer.from(`${JSON.stringify(received(mid, body))}\n`), body]);
  return Buffer.concat([Buffer.from(`M ${mid} ${content.length}\n`), content]);
};

const roots: string[] = [];
const home = () => {
  const root = tempHome();
  roots.push(root);
  return root;
};
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

describe('the spool on disk', () => {
  it('writes a received message to the spool log before its 250, and gives it a message file of its own once it stays LOG_SPILL_MS', async () => {
    const root = home();
    const body = Buffer.from('Subject: s\r\n\r\nhello\r\n');
    const spool = new Spool(root);
    await spool.saveReceived(received(7, body), body);
    const logs = readdirSync(join(root, 'log'));
    expect(logs).toEqual(['1.log']);
    const line = `${JSON.stringify(received(7, body))}\n`;
    expect(readFileSync(join(root, 'log', '1.log'), 'latin1')).toBe(`M 7 ${Buffer.byteLength(line) + body.length}\n${line}${body.toString('latin1')}`);
    expect(existsSync(join(root, 'msg', '7.eml'))).toBe(false);
    await new Promise((r) => setTimeout(r, LOG_SPILL_MS + 600));
    const raw = readFileSync(join(root, 'msg', '7.eml'));
    expect(JSON.parse(raw.subarray(0, raw.indexOf(0x0a)).toString()).mid).toBe(7);
    // a new process reads the message back without the record line
    expect(new Spool(root).readMessage('7.eml')).toEqual(body);
  });

  it('after a crash, recovers the messages of the log not finished (a D line says finished), as message files; the log files go', async () => {
    const root = home();
    const spool = new Spool(root);
    const body = (n: number) => Buffer.from(`Subject: ${n}\r\n\r\n${'x'.repeat(n)}\r\n`);
    for (const mid of [1, 2, 3]) await spool.saveReceived(received(mid, body(mid)), body(mid));
    await spool.removeMessage('2.eml');
    // the D line is written on the next turn of the event loop; then the process dies (no settle)
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setTimeout(r, 20));
    expect(readFileSync(join(root, 'log', '1.log'), 'latin1')).toMatch(/\nD 2\n$/);
    const again = new Spool(root);
    const { received: r } = again.recover();
    expect(r.map((x) => x.mid)).toEqual([1, 3]);
    expect(readdirSync(join(root, 'msg')).sort()).toEqual(['1.eml', '3.eml']);
    expect(readdirSync(join(root, 'log'))).toEqual([]);
    expect(again.readMessage('3.eml')).toEqual(body(3));
  });

  it('leaves one message file per message still in the spool, and no log file, when it settles (at stop)', async () => {
    const root = home();
    const spool = new Spool(root);
    const body = Buffer.from('m\r\n');
    // more than are written at once: each one written starts the next
    const mids = Array.from({ length: 40 }, (_, i) => i + 1);
    await Promise.all(mids.map((mid) => spool.saveReceived(received(mid, body), body)));
    await spool.removeMessage('1.eml');
    await spool.settle();
    expect(readdirSync(join(root, 'log'))).toEqual([]);
    expect(readdirSync(join(root, 'msg')).length).toBe(39);
    expect(new Spool(root).recover().received.map((x) => x.mid)).toEqual(mids.slice(1));
  });

  it('removes a log file once none of its messages needs it, and starts the next one', async () => {
    const root = home();
    const spool = new Spool(root, undefined, 4000);
    const big = Buffer.alloc(1000, 'y');
    // four messages fill a log file of 4,000 bytes: the fifth starts the next
    for (const mid of [1, 2, 3, 4, 5]) await spool.saveReceived(received(mid, big), big);
    expect(readdirSync(join(root, 'log')).sort()).toEqual(['1.log', '2.log']);
    for (const mid of [1, 2, 3]) await spool.removeMessage(`${mid}.eml`);
    expect(readdirSync(join(root, 'log')).sort()).toEqual(['1.log', '2.log']);
    await spool.removeMessage('4.eml');
    await new Promise((r) => setTimeout(r, 50));
    expect(readdirSync(join(root, 'log'))).toEqual(['2.log']);
    expect(spool.readMessage('5.eml')).toEqual(big);
    expect(existsSync(join(root, 'msg', '5.eml'))).toBe(false);
  });

  it('tells a length damaged past the end of a log file (kept aside, the messages after it recovered) from a torn tail', () => {
    const root = home();
    new Spool(root);
    const damaged = Buffer.from(
      logFrame(2)
        .toString('latin1')
        .replace(/^M 2 \d+/, 'M 2 999999'),
      'latin1',
    );
    mkdirSync(join(root, 'log'));
    writeFileSync(join(root, 'log', '1.log'), Buffer.concat([logFrame(1), damaged, logFrame(3)]));
    const { received: r, damagedLog } = new Spool(root).recover();
    expect(r.map((x) => x.mid)).toEqual([1, 3]);
    expect(damagedLog).toEqual([expect.stringMatching(new RegExp(`^spool log file 1\\.log is damaged: ${damaged.length} bytes at offset ${logFrame(1).length} `))]);
  });

  it('answers a message it cannot write with an error naming the file (never acknowledged, not counted), and writes the next one once it can', async () => {
    const root = home();
    const spool = new Spool(root);
    // something that is not a directory where the log files go
    writeFileSync(join(root, 'log'), 'in the way');
    const body = Buffer.from('m\r\n');
    await expect(spool.saveReceived(received(1, body), body)).rejects.toThrow(join(root, 'log'));
    expect(spool.bytes).toBe(0);
    rmSync(join(root, 'log'));
    await spool.saveReceived(received(2, body), body);
    await spool.settle();
    expect(readdirSync(join(root, 'msg'))).toEqual(['2.eml']);
  });

  it('recovers a log file with a torn frame at its end (dropped), a hole (skipped) and damage (kept in the quarantine, named), and every whole message in it', () => {
    const root = home();
    new Spool(root); // makes the directories
    mkdirSync(join(root, 'log'));
    const damage = Buffer.from('scribbled over\nby something else\n');
    // a write that never happened (zeros), one after it that did; damage; a write cut short at the end
    writeFileSync(join(root, 'log', '3.log'), Buffer.concat([logFrame(1), Buffer.alloc(300), logFrame(2), damage, logFrame(3), Buffer.from('D 1\n'), logFrame(4).subarray(0, 50)]));
    // message 1 had its own file by then: finished, that goes too
    writeFileSync(join(root, 'msg', '1.eml'), logFrame(1).subarray(logFrame(1).indexOf(0x0a) + 1));
    const { received: r, damagedLog } = new Spool(root).recover();
    expect(r.map((x) => x.mid)).toEqual([2, 3]);
    const kept = join(root, 'quarantine', 'log-3-at-' + (logFrame(1).length + 300 + logFrame(2).length) + '.damaged');
    expect(damagedLog).toEqual([
      `spool log file 3.log is damaged: ${damage.length} bytes at offset ${logFrame(1).length + 300 + logFrame(2).length} are not messages of the spool; they were kept in ${kept}`,
    ]);
    expect(readFileSync(kept)).toEqual(damage);
    expect(readdirSync(join(root, 'log'))).toEqual([]);
    expect(readdirSync(join(root, 'msg')).sort()).toEqual(['2.eml', '3.eml']);
    expect(new Spool(root).quarantineCount()).toBe(1);
  });

  it('recovers messages not yet queued, and the queued records of the others', async () => {
    const root = home();
    const spool = new Spool(root);
    const a = Buffer.from('a\r\n');
    const b = Buffer.from('b\r\n');
    await spool.saveReceived(received(1, a), a);
    await spool.saveReceived(received(2, b), b);
    await spool.saveQueue('2.eml', [queued(2, '2.eml', 'example.com'), queued(3, '2.eml', 'the.tdc.queue')]);
    await spool.settle();
    const { received: r, queued: q } = new Spool(root).recover();
    expect(r.map((x) => x.mid)).toEqual([1]);
    expect(q.map((x) => `${x.mid}@${x.destination}`)).toEqual(['2@example.com', '3@the.tdc.queue']);
  });

  it('counts the bytes its files take on disk (status shows them as Kilobytes Used), across a restart', async () => {
    const root = home();
    const onDisk = () => ['msg', 'queue'].flatMap((d) => readdirSync(join(root, d)).map((f) => statSync(join(root, d, f)).size)).reduce((a, b) => a + b, 0);
    const spool = new Spool(root);
    const body = Buffer.alloc(5000, 'x');
    await spool.saveReceived(received(1, body), body);
    await spool.saveReceived(received(2, body), body);
    await spool.saveQueue('2.eml', [queued(2, '2.eml', 'example.com')]);
    await spool.settle();
    expect(spool.bytes).toBeGreaterThan(10_000);
    expect(spool.bytes).toBe(onDisk());
    const again = new Spool(root);
    again.recover();
    expect(again.bytes).toBe(onDisk());
    await again.removeMessage('2.eml');
    await again.settle();
    expect(again.bytes).toBe(onDisk());
    expect(again.bytes).toBeLessThan(6_000);
  });

  it('drops a message file torn before its 250, and a queue file whose message is gone', () => {
    const root = home();
    new Spool(root); // makes the directories
    const body = Buffer.from('the whole message\r\n');
    // the record promises more bytes than were written: the crash came before the fsync and the 250
    writeFileSync(join(root, 'msg', '4.eml'), Buffer.concat([Buffer.from(`${JSON.stringify(received(4, body))}\n`), body.subarray(0, 5)]));
    writeFileSync(join(root, 'msg', '5.eml'), Buffer.from('{"mid": 5, "si')); // not even a whole record line
    writeFileSync(join(root, 'queue', '6.json'), JSON.stringify([queued(6, '6.eml', 'example.com')]));
    const { received: r, queued: q } = new Spool(root).recover();
    expect(r).toEqual([]);
    expect(q).toEqual([]);
    expect(readdirSync(join(root, 'msg'))).toEqual([]);
    expect(readdirSync(join(root, 'queue'))).toEqual([]);
  });

  it('sends a message with a torn queue file through the work queue again', async () => {
    const root = home();
    const body = Buffer.from('m\r\n');
    await new Spool(root).saveReceived(received(8, body), body);
    writeFileSync(join(root, 'queue', '8.json'), '[{"mid": 8, "fi');
    const { received: r, queued: q, requeued } = new Spool(root).recover();
    expect(r.map((x) => x.mid)).toEqual([8]);
    expect(q).toEqual([]);
    expect(requeued).toEqual([{ mid: 8, problem: expect.stringMatching(/^queue file 8\.json is not JSON: /) }]);
  });

  it('tells a file torn before its 250 (removed) from an acknowledged one that is damaged (quarantined, never removed)', () => {
    const root = home();
    const spool = new Spool(root);
    const body = Buffer.from('Subject: s\r\n\r\nbody\r\n');
    const file = (mid: number, head: string, rest: Buffer = body) => writeFileSync(join(root, 'msg', `${mid}.eml`), Buffer.concat([Buffer.from(head), rest]));
    const line = (mid: number) => `${JSON.stringify(received(mid, body))}\n`;
    // torn: the write stopped inside the record line, or inside the body
    file(1, line(1).slice(0, 30), Buffer.alloc(0));
    file(2, line(2), body.subarray(0, 4));
    // damaged: a whole record line that is not a record, or does not match its file
    file(3, '{"mid": 3, "icid": 1, garbage}\n');
    file(4, '{}\n');
    file(5, '[5]\n');
    file(6, line(7));
    file(8, line(8), Buffer.concat([body, Buffer.from('more')]));
    // whole
    file(9, line(9));
    const { received: r, quarantined } = spool.recover();
    expect(r.map((x) => x.mid)).toEqual([9]);
    expect(quarantined.map((q) => q.mid).sort()).toEqual([3, 4, 5, 6, 8]);
    const why = Object.fromEntries(quarantined.map((q) => [q.mid, q.problem]));
    expect(why[3]).toMatch(/^the record line of 3\.eml is not JSON: /);
    expect(why[4]).toMatch(/^the record line of 4\.eml is not valid: mid is missing; icid is missing; from is missing \(and 6 more\)$/);
    expect(why[5]).toBe('the record line of 5.eml is not valid: the record line must be an object, not a list');
    expect(why[6]).toBe('the record line of 6.eml is of MID 7');
    expect(why[8]).toBe(`the message in 8.eml is ${body.length + 4} bytes, its record line says ${body.length}`);
    expect(readdirSync(join(root, 'msg'))).toEqual(['9.eml']);
    expect(readdirSync(join(root, 'quarantine')).sort()).toEqual(['3.eml', '4.eml', '5.eml', '6.eml', '8.eml']);
    expect(readFileSync(join(root, 'quarantine', '4.eml'))).toEqual(Buffer.concat([Buffer.from('{}\n'), body]));
    expect(spool.quarantineCount()).toBe(5);
  });

  it('quarantines a message whose queue file is JSON of the wrong shape, with its queue file', async () => {
    const root = home();
    const spool = new Spool(root);
    const body = Buffer.from('m\r\n');
    for (const mid of [10, 11, 12, 13]) await spool.saveReceived(received(mid, body), body);
    writeFileSync(join(root, 'queue', '10.json'), '[{}]');
    writeFileSync(join(root, 'queue', '11.json'), '{}');
    writeFileSync(join(root, 'queue', '12.json'), JSON.stringify([queued(12, '99.eml', 'example.com')]));
    writeFileSync(join(root, 'queue', '13.json'), JSON.stringify([queued(13, '13.eml', 'example.com')]));
    const { received: r, queued: q, quarantined } = new Spool(root).recover();
    expect(r).toEqual([]);
    expect(q.map((x) => x.mid)).toEqual([13]);
    expect(Object.fromEntries(quarantined.map((x) => [x.mid, x.problem]))).toEqual({
      10: expect.stringMatching(/^queue file 10\.json is not valid: \[0\]\.mid is missing; \[0\]\.file is missing; \[0\]\.kind is missing \(and \d+ more\)$/),
      11: 'queue file 11.json is not valid: 11.json must be a list, not an object',
      12: 'queue file 12.json is not valid: a record of MID 12 names the message file "99.eml"',
    });
    expect(readdirSync(join(root, 'quarantine')).sort()).toEqual(['10.eml', '10.queue.json', '11.eml', '11.queue.json', '12.eml', '12.queue.json']);
    expect(readdirSync(join(root, 'queue'))).toEqual(['13.json']);
  });

  it('gives the highest MID and ICID it holds, damaged files included, for rebuilding ids.json', async () => {
    const root = home();
    const spool = new Spool(root);
    const body = Buffer.from('m\r\n');
    await spool.saveReceived({ ...received(20, body), icid: 77 }, body);
    await spool.saveQueue('20.eml', [{ ...queued(31, '20.eml', 'the.tdc.queue'), kind: 'journal' }]);
    writeFileSync(join(root, 'msg', '25.eml'), 'garbage');
    await spool.settle();
    expect(spool.highestIds()).toEqual({ mid: 31, icid: 77, dcid: 0 });
    // a message only in the log (the process stopped without settling)
    await spool.saveReceived({ ...received(40, body), icid: 90 }, body);
    expect(new Spool(root).highestIds()).toEqual({ mid: 40, icid: 90, dcid: 0 });
  });

  it('removes the message file before its queue file when the last record is done', async () => {
    const root = home();
    const spool = new Spool(root);
    const body = Buffer.from('m\r\n');
    await spool.saveReceived(received(9, body), body);
    await spool.saveQueue('9.eml', [queued(9, '9.eml', 'example.com')]);
    await spool.removeMessage('9.eml');
    await spool.settle();
    expect(existsSync(join(root, 'msg', '9.eml'))).toBe(false);
    expect(existsSync(join(root, 'queue', '9.json'))).toBe(false);
  });

  it('writes a new queue file only for a message still queued after QUEUE_FILE_DELAY_MS, and progress at once', async () => {
    const root = home();
    const spool = new Spool(root, 200);
    const body = Buffer.from('m\r\n');
    await spool.saveReceived(received(40, body), body);
    await spool.saveReceived(received(41, body), body);
    await spool.saveReceived(received(43, body), body);
    const delivered = spool.saveQueueLater('40.eml', [queued(40, '40.eml', 'example.com')]);
    const waiting = spool.saveQueueLater('41.eml', [queued(41, '41.eml', 'example.com')]);
    void spool.saveQueueLater('41.eml', [queued(41, '41.eml', 'example.com'), queued(42, '41.eml', 'the.tdc.queue')]);
    const partly = spool.saveQueueLater('43.eml', [queued(43, '43.eml', 'example.com'), queued(44, '43.eml', 'the.tdc.queue')]);
    expect(readdirSync(join(root, 'queue'))).toEqual([]);
    // one record done: that is written at once
    await spool.saveQueue('43.eml', [queued(44, '43.eml', 'the.tdc.queue')]);
    await partly;
    expect(readdirSync(join(root, 'queue'))).toEqual(['43.json']);
    // delivered within the delay: its queue file is never written, its message file goes
    await spool.removeMessage('40.eml');
    await delivered;
    await waiting;
    await spool.settle();
    expect(readdirSync(join(root, 'msg')).sort()).toEqual(['41.eml', '43.eml']);
    expect(readdirSync(join(root, 'queue')).sort()).toEqual(['41.json', '43.json']);
    const mids = (f: string) => (JSON.parse(readFileSync(join(root, 'queue', f), 'utf8')) as QueueRecord[]).map((r) => r.mid);
    expect(mids('41.json')).toEqual([41, 42]);
    expect(mids('43.json')).toEqual([44]);
    expect(spool.bytes).toBe(['msg/41.eml', 'msg/43.eml', 'queue/41.json', 'queue/43.json'].map((f) => statSync(join(root, f)).size).reduce((a, b) => a + b));
  });

  it('writes the queue files still waiting when it settles (at stop)', async () => {
    const root = home();
    const spool = new Spool(root, 60_000);
    const body = Buffer.from('m\r\n');
    await spool.saveReceived(received(50, body), body);
    void spool.saveQueueLater('50.eml', [queued(50, '50.eml', 'example.com')]);
    await spool.settle();
    expect(readdirSync(join(root, 'queue'))).toEqual(['50.json']);
  });
});

describe.skipIf(!canMountDisk)('the spool on a full disk (a tmpfs of its own)', () => {
  it('removes a message file and a temporary queue file whose write failed, instead of leaving them empty until a restart, and writes them once space is back', async () => {
    // the tmpfs is unmounted after the file, before its home is removed
    const root = join(removeAfterFile(tempHome()), 'spool');
    const disk = smallDisk(root);
    const spool = new Spool(root);
    const errors: string[] = [];
    spool.onError = (error) => errors.push(error.message);
    const body = Buffer.alloc(6000, 'x');
    await spool.saveReceived(received(1, body), body);
    disk.fill();

    await spool.saveQueue('1.eml', [queued(1, '1.eml', 'example.com')]);
    expect(errors).toEqual([expect.stringContaining('ENOSPC')]);
    expect(readdirSync(join(root, 'queue'))).toEqual([]);
    // the message is in the spool log; its own file, due after LOG_SPILL_MS, cannot be written
    await waitFor(() => errors.length === 2, 5000, 'the failed message file');
    expect(errors[1]).toContain('ENOSPC');
    expect(readdirSync(join(root, 'msg'))).toEqual([]);

    disk.free();
    await spool.saveQueue('1.eml', [queued(1, '1.eml', 'example.com')]);
    await spool.settle();
    expect(readdirSync(join(root, 'msg'))).toEqual(['1.eml']);
    expect(readdirSync(join(root, 'queue'))).toEqual(['1.json']);
    expect(new Spool(root).readMessage('1.eml')).toEqual(body);
  });
});
