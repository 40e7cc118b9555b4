import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import nodemailer from 'nodemailer';
import { startAppliance } from '../../src/cli/run-appliance.js';
import { commandRegistry } from '../../src/commands/registry.js';
import { Appliance } from '../../src/engine/appliance.js';
import { logFiles } from '../../src/engine/logs/log-files.js';
import { buildMessages } from '../../src/lab/traffic.js';
import { SetdStore } from '../../src/setd/store.js';
import { waitFor } from '../helpers/engine.js';
import { spawnFixture } from '../helpers/run-main.js';
import { commitEdit, labHome } from '../helpers/scripted.js';

const COUNT = 5000;
const CONCURRENCY = 10;

function mailboxMessageIds(home: string): string[] {
  const dir = `${home}/mailboxes`;
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((box) =>
    readdirSync(`${dir}/${box}`)
      .filter((f) => f.endsWith('.eml'))
      .map((f) => /^Message-ID: (.*)$/im.exec(readFileSync(`${dir}/${box}/${f}`, 'latin1'))?.[1]?.trim() ?? f),
  );
}

/**
 * Sends `count` generated messages over `concurrency` pooled SMTP sessions, as `inject` does, and
 * keeps the MID of every 250 reply: the messages the appliance acknowledged.
 */
async function sendRecordingMids(port: number, count: number, concurrency: number, onProgress: (done: number) => void): Promise<{ accepted: number; mids: number[] }> {
  const messages = buildMessages({ count, to: ['example.com'], size: 1000 });
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port, ignoreTLS: true, pool: true, maxConnections: concurrency, maxMessages: 100, socketTimeout: 30_000 });
  const mids: number[] = [];
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < messages.length) {
      const m = messages[next++]!;
      try {
        const info = await transport.sendMail({ envelope: { from: m.from, to: m.to }, raw: m.raw });
        const mid = /Message (\d+) accepted/.exec(String(info.response))?.[1];
        if (mid !== undefined) mids.push(Number(mid));
      } catch {
        // refused or cut off by the kill: not acknowledged
      }
      onProgress(++done);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  transport.close();
  return { accepted: mids.length, mids };
}

describe('crash safety', () => {
  // queues of up to 1,000 waiting messages in memory (the default), and of 5: then most waiting
  // journal copies wait on disk only, and their queue files are rewritten around them as the
  // originals are delivered
  it.each([
    { queues: 'in memory', hotRecords: undefined },
    { queues: 'mostly on disk', hotRecords: 5 },
  ])(
    'SIGKILL mid-flight, queues $queues: every message answered 250 reaches the mailboxes and SETD after a restart, and is in mail_logs and the lifetime counters; duplicates only from what was in flight',
    async ({ hotRecords }) => {
      // Given an appliance in a child process that journals every message to SETD
      const home = labHome();
      const store = new SetdStore(`${home}/setd`);
      const intake = store.createAccount({ region: 'beta' }).intakeAddress;
      await commitEdit(new Appliance({ home }), (c) => void (c.tdc = { enabled: true, intakeAddress: intake }), 'journal everything');
      const { child, port } = await spawnFixture('run-appliance.mjs', home, ...(hotRecords ? [String(hotRecords)] : []));

      // When it is killed with SIGKILL while accepting and delivering
      let killed = false;
      const summary = await sendRecordingMids(port, COUNT, CONCURRENCY, (done) => {
        if (!killed && done >= COUNT / 2) {
          killed = true;
          child.kill('SIGKILL');
        }
      });
      await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.once('exit', r)));
      expect(summary.accepted).toBeGreaterThan(COUNT / 4);
      const deliveredAtKill = new Set(mailboxMessageIds(home));
      const journaledAtKill = new Set(store.messages().map((m) => m.messageId));

      // Then, after a restart, everything accepted is delivered, to the mailboxes and to SETD
      const running = await startAppliance(new Appliance({ home }), commandRegistry(), { hotRecords });
      try {
        // read back at start: far more than 5 waiting, so most of them on disk only
        const waiting = running.engine.hosts().reduce((n, h) => n + h.activeRecipients, 0);
        if (hotRecords) expect(waiting).toBeGreaterThan(10 * hotRecords);
        // mail_logs and the lifetime counters kept everything acknowledged: both are written before
        // each 250. Every acknowledged MID has its receive line, and Messages Received counts every
        // acknowledged message and nothing mail_logs does not show. It may count a few more than
        // the client saw: a message written and counted whose 250 the kill stopped (at most one
        // per open connection). No server can tell those apart after a crash: what it writes
        // before its reply cannot say whether the reply left.
        running.engine.log.flush();
        const ready = new Set(logFiles(`${home}/logs`, 'mail_logs').flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/ Info: MID (\d+) ready \d+ bytes/g)].map((m) => Number(m[1]))));
        expect(summary.mids.filter((mid) => !ready.has(mid))).toEqual([]);
        const received = running.engine.status().counters.lifetime.messagesReceived;
        expect(received).toBeGreaterThanOrEqual(summary.accepted);
        expect(received).toBeLessThanOrEqual(Math.min(ready.size, summary.accepted + CONCURRENCY));

        await waitFor(
          () =>
            new Set(mailboxMessageIds(home)).size >= summary.accepted &&
            new Set(store.messages().map((m) => m.messageId)).size >= summary.accepted &&
            running.engine.hosts().every((h) => h.activeRecipients === 0),
          120_000,
          'every accepted message delivered',
        );
        const boxes = mailboxMessageIds(home);
        const journals = store.messages().map((m) => m.messageId);
        const duplicates = { mailboxes: boxes.length - new Set(boxes).size, setd: journals.length - new Set(journals).size };
        // a duplicate is a message delivered before the kill whose queue file did not yet say so:
        // delivered again after the restart, never twice in one run
        const twice = (ids: string[]) => ids.filter((id, i) => ids.indexOf(id) !== i);
        expect(twice(boxes).filter((id) => !deliveredAtKill.has(id))).toEqual([]);
        expect(twice(journals).filter((id) => !journaledAtKill.has(id))).toEqual([]);
        // and only the ones in flight then: a few per open connection (10 downstream + the TDC pool)
        expect(duplicates.mailboxes).toBeLessThanOrEqual(50);
        expect(duplicates.setd).toBeLessThanOrEqual(50);
        expect(new Set(journals)).toEqual(new Set(boxes)); // every clean message journaled, nothing else
        console.log(
          `crash test (queues ${hotRecords ? 'mostly on disk' : 'in memory'}, ${waiting} waiting at the restart): ${summary.accepted} accepted before the kill, ${running.engine.status().counters.lifetime.messagesReceived} counted, ${new Set(summary.mids).size} acknowledged MIDs with their receive lines, ${deliveredAtKill.size} in mailboxes and ${journaledAtKill.size} at SETD at the kill, duplicates ${JSON.stringify(duplicates)}`,
        );
      } finally {
        await running.stop();
        rmSync(home, { recursive: true, force: true });
      }
    },
    180_000,
  );
});
