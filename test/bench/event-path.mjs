// The relay's mail events, as one relayed message makes them, through the bus, mail_logs, the
// tracking store and the counters, wired as the engine wires them: their CPU per message, alone (the whole relay's
// CPU moves too much on a shared machine to show a change of a few µs). Not part of npm test.
// node test/bench/event-path.mjs [dist directory]  (npm run build first)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const dist = pathToFileURL(resolve(process.argv[2] ?? new URL('../../dist', import.meta.url).pathname)).href;
const { MailEvents } = await import(`${dist}/engine/mail/mail-events.js`);
// the one log writer (a dist from before log subscriptions: MailLog)
const { LogWriter } = await import(`${dist}/engine/logs/log-writer.js`).catch(() => ({}));
const { MailLog } = LogWriter ? {} : await import(`${dist}/engine/mail/mail-log.js`);
const { TrackingStore } = await import(`${dist}/engine/tracking-store.js`);
// message tracking as the engine wires it: the store and its index (a dist from before the index: the store alone)
const { MessageTracking } = await import(`${dist}/engine/message-tracking.js`);
const { logLevel, mailLogLines } = await import(`${dist}/engine/mail/mail-log-lines.js`);
const { MailCounterSet } = await import(`${dist}/engine/mail/counters.js`);
const { EventCounters } = await import(`${dist}/engine/mail/event-counters.js`);

const MESSAGES = 20_000;
const home = mkdtempSync(join(tmpdir(), 'segsim-bench-events-'));
try {
  const subscription = { name: 'mail_logs', type: 'mail_logs', level: 'information', maxFileBytes: Number.MAX_SAFE_INTEGER, maxFiles: 10, retrieval: { method: 'manual' } };
  const log = LogWriter ? new LogWriter({ logsDir: home, subscription, now: () => Date.now() }) : new MailLog(join(home, 'mail_logs'), () => Date.now(), Number.MAX_SAFE_INTEGER);
  const events = new MailEvents(() => Date.now());
  events.on((e) => {
    const level = logLevel(e);
    for (const line of mailLogLines(e)) log.write(level, line);
  });
  const tracking = MessageTracking?.writer ? MessageTracking.writer(join(home, 'tracking')) : new TrackingStore(join(home, 'tracking'));
  await tracking.start?.();
  events.on((e) => tracking.record(e));
  const counters = new MailCounterSet(
    home,
    () => Date.now(),
    () => undefined,
  );
  const counting = new EventCounters(counters);
  events.on((e) => counting.reduce(e));
  log.onWritten = () => counters.save();
  const rcpts = [{ rid: 0, address: 'user@example.com' }];
  const relay = async () => {
    for (let mid = 1; mid <= MESSAGES; mid++) {
      const [icid, dcid] = [mid, mid];
      events.emit({ type: 'icid.opened', icid, interfaceName: 'Management', bindAddress: '127.0.0.1', remoteIp: '127.0.0.1', access: 'ACCEPT', match: 'ALL' });
      events.emit({ type: 'message.started', mid, icid, from: 'bench@outside.example' });
      events.emit({ type: 'recipient.accepted', mid, icid, rid: 0, address: 'user@example.com' });
      events.emit({ type: 'accepted', mid, icid, from: 'bench@outside.example', rcpts, messageId: '<20261202.abc@outside.example>', subject: 'test', size: 5120 });
      events.emit({ type: 'policy.matched', mid, policy: 'DEFAULT' });
      events.emit({ type: 'scanned', mid, antivirus: false, antispam: false, attachment: false });
      events.emit({ type: 'queued', mid });
      events.emit({ type: 'delivery.started', dcid, mid, queue: 'example.com', rids: [0] });
      events.emit({ type: 'delivered', dcid, mid, queue: 'example.com', rids: [0], response: '250 2.0.0 Ok: queued as ABC' });
      events.emit({ type: 'finished', mid, kind: 'original', how: 'done' });
      // a few messages per connection, and mail_logs written as the replies wait for it
      if (mid % 10 === 0) {
        events.emit({ type: 'icid.closed', icid });
        log.flush();
        await new Promise((r) => setImmediate(r));
      }
    }
  };
  await relay(); // warm-up: the second round is measured
  const before = process.cpuUsage();
  await relay();
  const cpu = process.cpuUsage(before);
  await tracking.close();
  log.flush();
  counters.close();
  console.log(JSON.stringify({ messages: MESSAGES, cpuUsPerMessage: Number(((cpu.user + cpu.system) / MESSAGES).toFixed(1)) }));
} finally {
  rmSync(home, { recursive: true, force: true });
}
