import { rmSync } from 'node:fs';
import { hoststatusCommand } from '../../src/commands/hoststatus.js';
import { statusCommand } from '../../src/commands/status.js';
import { tophostsCommand } from '../../src/commands/tophosts.js';
import { Appliance } from '../../src/engine/appliance.js';
import { MailEngine } from '../../src/engine/mail/mail-engine.js';
import { Spool, type QueueRecord } from '../../src/engine/mail/spool.js';
import { commitEdit, runScripted, tempHome } from '../helpers/scripted.js';

const FILES = 200;
const PER_FILE = 1_000; // 200,000 records, one recipient each, all for example.com

/** A spool as a previous run left it: messages split by policy into 1,000 records each, all waiting. */
async function spoolWithLongQueue(home: string, queuedAt: number): Promise<void> {
  const spool = new Spool(new Appliance({ home }).paths.spool);
  const body = Buffer.from('Subject: held\r\n\r\nheld\r\n');
  for (let f = 0; f < FILES; f++) {
    const mid = 1 + f * PER_FILE;
    const file = `${mid}.eml`;
    await spool.saveReceived({ mid, icid: 1, from: 'a@outside.example', rcpts: [], remoteIp: '127.0.0.1', receivedAt: queuedAt, size: body.length, messageId: `<${mid}@x>`, subject: 'held' }, body);
    const records: QueueRecord[] = Array.from({ length: PER_FILE }, (_, i) => ({
      mid: mid + i,
      file,
      kind: 'original',
      destination: 'example.com',
      from: 'a@outside.example',
      rcpts: [{ rid: 0, address: `u${i}@example.com` }],
      messageId: `<${mid}@x>`,
      subject: 'held',
      addHeaders: [],
      subjectPrefix: '',
      size: body.length,
      // the oldest record is somewhere in the middle, not first
      queuedAt: queuedAt + ((f * PER_FILE + i) % 7_919) * 1000,
      attempts: 0,
      softBounces: 0,
      nextAttemptAt: 0,
    }));
    await spool.saveQueue(file, records);
  }
  await spool.settle();
}

describe('a long queue (200,000 recipients, delivery suspended)', () => {
  it('tophosts, status and hoststatus still answer', async () => {
    const home = tempHome();
    const queuedAt = Date.UTC(2024, 1, 16, 12, 0, 0);
    try {
      await spoolWithLongQueue(home, queuedAt);
      const appliance = new Appliance({ home });
      await commitEdit(appliance, (c) => {
        c.listener.port = 0;
        c.lab.mailServerPort = 0;
      });
      const engine = new MailEngine(appliance);
      engine.suspendDelivery('ALL'); // held before the spool is read back
      await engine.start();
      appliance.live = engine;
      try {
        const host = engine.hosts().find((h) => h.host === 'example.com')!;
        expect(host.activeRecipients).toBe(FILES * PER_FILE);
        expect(host.connectionsOut).toBe(0);
        expect(host.oldestMessage).toBe(queuedAt);
        const status = engine.status();
        expect(status.gauges.activeRecipients).toBe(200_000);
        expect(status.oldestMessage).toBe(queuedAt);
        const top = await runScripted(tophostsCommand, [], { appliance, flags: { sort: 'active', json: true }, interactive: false });
        expect(JSON.parse(top.transcript)[0]).toMatchObject({ host: 'example.com', activeRecipients: 200_000 });
        const detail = await runScripted(statusCommand, [], { appliance, args: ['detail'], interactive: false });
        expect(detail.transcript).toMatch(/Active Recipients:?\s+200,000/);
        const hs = await runScripted(hoststatusCommand, [], { appliance, args: ['example.com'], interactive: false });
        expect(hs.transcript).toMatch(/Host mail status for:\s+'?example\.com/);
        expect(hs.transcript).toMatch(/Active Recipients\s+200,000/);
        // deleting them all is one pass, not one search per record
        expect(engine.deleteRecipients({ host: 'example.com' })).toBe(200_000);
        expect(engine.hosts().find((h) => h.host === 'example.com')).toMatchObject({ activeRecipients: 0, oldestMessage: null });
      } finally {
        await engine.stop();
      }
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  }, 120_000);
});
