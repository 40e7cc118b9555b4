// Message Tracking at scale (BENCH_SCENARIO=tracking): 100,000 tracked messages, each journaled
// to SETD. The store's files are written before the appliance starts, by the real store from
// events of the engine's shape (generating them by SMTP would take the bench too long). Then:
// the index's build time and memory, a MID lookup, a message's details and a broad search in
// the web interface, findevent, and the SMTP greeting while 300 wrong web logins and a broad
// search run (the client is a process of its own: tracking-load.mjs).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Appliance } from '../../dist/engine/appliance.js';
import { setAdminPassword } from '../../dist/engine/admin-account.js';
import { MessageTracking } from '../../dist/engine/message-tracking.js';
import { TrackingStore } from '../../dist/engine/tracking-store.js';
import { timeCommand } from './scale.mjs';
import { startAppliance } from '../../dist/cli/run-appliance.js';
import { commandRegistry } from '../../dist/commands/registry.js';

const MESSAGES = Number(process.env.BENCH_TRACKED ?? 100_000);
const PASSWORD = 'bench-passw0rd';
const LOAD = fileURLToPath(new URL('./tracking-load.mjs', import.meta.url));
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const round = (n) => Number(n.toFixed(1));

/**
 * The events one received message makes on a lab appliance that journals it: its connection
 * (five messages each), the transaction, policy, scan, its journal copy, both deliveries over
 * pooled delivery connections (a hundred messages each).
 */
export function* messageEvents(i, at) {
  const mid = 2 * i + 1;
  const copy = mid + 1;
  const icid = Math.floor(i / 5) + 1;
  const [dcid, tdcDcid] = [2 * Math.floor(i / 100) + 1, 2 * Math.floor(i / 100) + 2];
  const from = `user${i % 997}@outside${i % 31}.example`;
  const rcpts = [{ rid: 0, address: `rcpt${i % 499}@example.com` }];
  if (i % 5 === 0) yield { type: 'icid.opened', icid, interfaceName: 'Management', bindAddress: '127.0.0.1', remoteIp: '127.0.0.1', access: 'ACCEPT', match: 'ALL', at };
  if (i % 100 === 0) {
    yield { type: 'dcid.opened', dcid, queue: 'example.com', localAddress: '127.0.0.1', address: '127.0.0.1', port: 2526, at };
    yield { type: 'dcid.opened', dcid: tdcDcid, queue: 'the.tdc.queue', localAddress: '127.0.0.1', address: '127.0.0.1', port: 2465, at };
    yield { type: 'tls.ok', dcid: tdcDcid, protocol: 'TLSv1.2', cipher: 'ECDHE-RSA-AES128-GCM-SHA256', at };
  }
  yield { type: 'message.started', mid, icid, from, at };
  yield { type: 'recipient.accepted', mid, icid, rid: 0, address: rcpts[0].address, at };
  yield { type: 'accepted', mid, icid, from, rcpts, messageId: `<${i}.bench@outside.example>`, subject: `bench message ${i}`, size: 5120, at };
  if (i % 5 === 4) yield { type: 'icid.closed', icid, at };
  yield { type: 'policy.matched', mid, policy: 'DEFAULT', at };
  yield { type: 'scanned', mid, antivirus: false, antispam: false, attachment: false, at };
  yield { type: 'journal.enqueued', mid: copy, originalMid: mid, messageId: `<${i}.bench@outside.example>`, intake: 'journal-bench@beta.cmd.cisco.com', at };
  yield { type: 'queued', mid, at };
  yield { type: 'delivery.started', dcid, mid, queue: 'example.com', rids: [0], at: at + 1 };
  yield { type: 'delivered', dcid, mid, queue: 'example.com', rids: [0], response: '250 2.0.0 Ok: queued as 4F1A2B3C', at: at + 2 };
  yield { type: 'finished', mid, kind: 'original', how: 'done', at: at + 2 };
  yield { type: 'delivery.started', dcid: tdcDcid, mid: copy, queue: 'the.tdc.queue', rids: [0], at: at + 1 };
  yield { type: 'delivered', dcid: tdcDcid, mid: copy, queue: 'the.tdc.queue', rids: [0], response: '250 2.0.0 Ok: journal stored', at: at + 3 };
  yield { type: 'finished', mid: copy, kind: 'journal', how: 'done', at: at + 3 };
  if (i % 100 === 99) {
    yield { type: 'dcid.closed', dcid, at: at + 3 };
    yield { type: 'dcid.closed', dcid: tdcDcid, at: at + 3 };
  }
}

/** Writes MESSAGES messages' tracking (a message every 400 ms, ending now) through the real store; returns its size. */
async function writeStore(dir) {
  const store = new TrackingStore(dir);
  const start = Date.now() - MESSAGES * 400;
  let lines = 0;
  for (let i = 0; i < MESSAGES; i++) {
    for (const e of messageEvents(i, start + i * 400)) {
      store.record(e);
      lines++;
    }
    if (i % 5000 === 4999) await store.flush();
  }
  await store.close();
  return lines;
}

/** The heap after a full collection, with the typed arrays' buffers (the index's position lists are in them). */
function heapMB() {
  globalThis.gc?.();
  const m = process.memoryUsage();
  return (m.heapUsed + m.arrayBuffers) / 1e6;
}

/** The appliance's event loop: the longest a 10 ms timer was late while `work` ran. */
async function longestStall(work) {
  let longest = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last - 10);
    last = now;
  }, 10);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return round(longest);
}

export async function tracking() {
  const home = mkdtempSync(join(tmpdir(), 'segsim-bench-tracking-'));
  try {
    const appliance = new Appliance({ home });
    await appliance.configuration.commit((c) => ({ ...c, listener: { ...c.listener, port: 0 }, lab: { mailServerPort: 0, setdPort: 0, webPort: 0, sshPort: 0, apiPort: 0 } }), 'bench', 'bench');
    await setAdminPassword(appliance.paths, PASSWORD);
    let t = performance.now();
    const lines = await writeStore(appliance.paths.tracking);
    const writeS = round((performance.now() - t) / 1000);

    // the index alone: its build time and what it holds in memory
    const before = heapMB();
    t = performance.now();
    let reader = await MessageTracking.reader(appliance.paths.tracking);
    const indexBuildMs = Math.round(performance.now() - t);
    const indexHeapMB = round(heapMB() - before);
    const indexed = reader.size;
    reader = null;

    // the appliance starts on the store and builds its own index in the background
    const running = await startAppliance(appliance, commandRegistry());
    try {
      const loopStallWhileIndexingMs = await longestStall(() => running.engine.tracking.start());
      const mid = 2 * Math.floor(MESSAGES / 2) + 1;
      const findeventMidMs = await timeCommand(appliance, ['findevent', '--mid', String(mid)], 3);
      const findeventBroadMs = await timeCommand(appliance, ['findevent', '--subject', 'bench message 9999[0-9]$'], 3);
      // the appliance's own loop while the client runs (its searches, then the burst of logins):
      // what the greetings' times hold beyond it is the client side's (processes on the same cores)
      let load;
      const loopStallUnderLoadMs = await longestStall(async () => {
        load = await promisify(execFile)(
          process.execPath,
          [
            LOAD,
            JSON.stringify({
              smtpPort: running.engine.listenerAddress().port,
              webUrl: running.web.url,
              apiUrl: running.api?.url,
              caFile: join(appliance.paths.tls, 'lab-ca.pem'),
              password: PASSWORD,
              mid,
            }),
          ],
          { maxBuffer: 1 << 20 },
        );
      });
      return {
        path: `message tracking over ${MESSAGES} received messages, each journaled (${indexed} MIDs, ${lines} events): the store's files written by the real store before the appliance started, not by SMTP`,
        messages: MESSAGES,
        writeStoreS: writeS,
        indexBuildMs,
        indexHeapMB,
        loopStallWhileIndexingMs,
        loopStallUnderLoadMs,
        findeventMidMs,
        findeventSubjectMs: findeventBroadMs,
        ...JSON.parse(load.stdout),
      };
    } finally {
      await running.stop();
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
