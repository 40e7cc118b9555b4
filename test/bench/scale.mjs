// How cost grows with the queue: peak memory and the time of the operator views with 1,000,
// 10,000 and 100,000 messages queued (delivery suspended, so they stay), and a live tophosts
// refresh with 1,000 destinations. Runs in a process of its own (BENCH_SCENARIO=scale).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Appliance } from '../../dist/engine/appliance.js';
import { startAppliance } from '../../dist/cli/run-appliance.js';
import { runOneShot } from '../../dist/cli/one-shot.js';
import { commandRegistry } from '../../dist/commands/registry.js';
import { renderTophosts } from '../../dist/commands/format/tophosts-table.js';
import { injectTraffic } from '../../dist/lab/traffic.js';

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const STEPS = (process.env.BENCH_QUEUE_STEPS ?? '1000,10000,100000').split(',').map(Number);
const DESTINATIONS = Number(process.env.BENCH_DESTINATIONS ?? 1000);

async function appliance(edit) {
  const home = mkdtempSync(join(tmpdir(), 'segsim-bench-scale-'));
  const a = new Appliance({ home });
  await a.configuration.commit(
    (c) => ({ ...c, listener: { ...c.listener, port: 0 }, lab: { ...c.lab, mailServerPort: 0, setdPort: 0, webPort: 0, sshPort: 0, apiPort: 0 }, ...edit(c) }),
    'bench',
    'bench',
  );
  const running = await startAppliance(a, commandRegistry());
  running.engine.suspendDelivery('ALL');
  return { a, running, home };
}

/** Median milliseconds of a command run in-process, as a one-shot command over the socket runs. */
export async function timeCommand(a, words, runs = 5) {
  const sink = new Writable({ write: (_c, _e, done) => done() });
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    await runOneShot({ appliance: a, registry: commandRegistry(), words, out: sink, signal: new AbortController().signal });
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return Number(median(times).toFixed(2));
}

/** The operator views' times, medians of 5 runs each. */
async function viewTimes(a) {
  return {
    tophostsMs: await timeCommand(a, ['tophosts', '--sort', 'active']),
    statusMs: await timeCommand(a, ['status', 'detail']),
    hoststatusMs: await timeCommand(a, ['hoststatus', 'example.com']),
  };
}

function rssMB() {
  globalThis.gc?.();
  return Math.round(process.memoryUsage().rss / 1e6);
}

/** What the heap holds after a full collection, and memory outside it (buffers). */
function heapMB() {
  globalThis.gc?.();
  const m = process.memoryUsage();
  return { heapUsedMB: Math.round(m.heapUsed / 1e6), externalMB: Math.round(m.external / 1e6) };
}

async function queueGrowth() {
  const { a, running, home } = await appliance(() => ({}));
  try {
    const port = running.engine.listenerAddress().port;
    await new Promise((r) => setTimeout(r, 500));
    const idleBeforeViewsRssMB = rssMB();
    // idle, but as an operator finds it: the views below have run once (their code is loaded;
    // hoststatus answers that it has no record of the host yet)
    await viewTimes(a).catch(() => undefined);
    const idleRssMB = rssMB();
    const idleHeap = heapMB();
    const steps = [];
    let queued = 0;
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 200);
    for (const target of STEPS) {
      const more = target - queued;
      // smtp-source: the same client as the throughput figures, 20 sessions
      await new Promise((resolve) =>
        spawn('smtp-source', ['-s', '20', '-m', String(more), '-l', '2048', '-d', '-f', 'bench@outside.example', '-t', 'user@example.com', `127.0.0.1:${port}`], { stdio: 'ignore' }).on(
          'exit',
          resolve,
        ),
      );
      queued = target;
      while (running.engine.workQueue().messages > 0) await new Promise((r) => setTimeout(r, 100));
      const active = running.engine.hosts().find((h) => h.host === 'example.com')?.activeRecipients ?? 0;
      steps.push({
        queued: active,
        rssMB: rssMB(),
        ...heapMB(),
        peakRssMB: Math.round(peak / 1e6),
        ...(await viewTimes(a)),
      });
    }
    clearInterval(sampler);
    return { idleBeforeViewsRssMB, idleRssMB, idleHeapUsedMB: idleHeap.heapUsedMB, steps };
  } finally {
    await running.stop();
    rmSync(home, { recursive: true, force: true });
  }
}

async function manyDestinations() {
  const domains = Array.from({ length: DESTINATIONS }, (_, i) => `d${i}.example`);
  const { a, running, home } = await appliance((c) => ({ listener: { ...c.listener, port: 0, acceptDomains: ['ALL'] }, smtpRoutes: [{ domain: 'ALL', destinations: ['127.0.0.1:9'] }] }));
  try {
    await injectTraffic(running.engine.listenerAddress(), { count: DESTINATIONS, to: domains, concurrency: 10, size: 512 });
    while (running.engine.workQueue().messages > 0) await new Promise((r) => setTimeout(r, 100));
    const destinations = running.engine.hosts().length;
    // one refresh of the live view: read the counters and draw the screen
    const refresh = [];
    for (let i = 0; i < 50; i++) {
      const t = process.hrtime.bigint();
      renderTophosts(running.engine.hosts(), 'active', a.clock.now());
      refresh.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    return { destinations, liveRefreshMs: Number(median(refresh).toFixed(2)), tophostsMs: await timeCommand(a, ['tophosts', '--sort', 'active']) };
  } finally {
    await running.stop();
    rmSync(home, { recursive: true, force: true });
  }
}

export async function scale() {
  return { queue: await queueGrowth(), destinations: await manyDestinations() };
}
