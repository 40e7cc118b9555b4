import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Spool, type QueueRecord, type ReceivedRecord } from '../../src/engine/mail/spool.js';
import { tempHome } from '../helpers/scripted.js';

const received = (mid: number, body: Buffer): ReceivedRecord => ({ mid, icid: 1, from: 'a@outside.example', rcpts: [{ rid: 0, address: 'u@example.com' }], remoteIp: '127.0.0.1', receivedAt: 0, size: body.length, messageId: `<${mid}@x>`, subject: 's' });
const queued = (mid: number, file: string, destination: string): QueueRecord => ({ mid, file, kind: 'original', destination, from: 'a@outside.example', rcpts: [{ rid: 0, address: `u@${destination}` }], messageId: '', subject: '', addHeaders: [], subjectPrefix: '', size: 1, queuedAt: 0, attempts: 0, softBounces: 0, nextAttemptAt: 0 });

describe('the spool on disk', () => {
  it('keeps a received message as one synced file: its record line, then the message as received', async () => {
    const root = tempHome();
    const body = Buffer.from('Subject: s\r\n\r\nhello\r\n');
    await new Spool(root).saveReceived(received(7, body), body);
    const raw = readFileSync(join(root, 'msg', '7.eml'));
    expect(JSON.parse(raw.subarray(0, raw.indexOf(0x0a)).toString()).mid).toBe(7);
    // a new process reads the message back without the record line
    expect(new Spool(root).readMessage('7.eml')).toEqual(body);
  });

  it('recovers messages not yet queued, and the queued records of the others', async () => {
    const root = tempHome();
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

  it('drops a message file torn before its 250, and a queue file whose message is gone', () => {
    const root = tempHome();
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
    const root = tempHome();
    const body = Buffer.from('m\r\n');
    await new Spool(root).saveReceived(received(8, body), body);
    writeFileSync(join(root, 'queue', '8.json'), '[{"mid": 8, "fi');
    const { received: r, queued: q } = new Spool(root).recover();
    expect(r.map((x) => x.mid)).toEqual([8]);
    expect(q).toEqual([]);
  });

  it('removes the message file before its queue file when the last record is done', async () => {
    const root = tempHome();
    const spool = new Spool(root);
    const body = Buffer.from('m\r\n');
    await spool.saveReceived(received(9, body), body);
    await spool.saveQueue('9.eml', [queued(9, '9.eml', 'example.com')]);
    await spool.removeMessage('9.eml');
    await spool.settle();
    expect(existsSync(join(root, 'msg', '9.eml'))).toBe(false);
    expect(existsSync(join(root, 'queue', '9.json'))).toBe(false);
  });
});
