import { readdirSync, rmSync, statfsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { injectTraffic } from '../../src/lab/traffic.js';
import { startEngine, waitFor } from '../helpers/engine.js';

const homes: string[] = [];
afterEach(() => {
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
});

/** Bytes of the spool's message and queue files. */
function spoolBytes(home: string): number {
  return ['msg', 'queue'].flatMap((d) => readdirSync(join(home, 'spool', d)).map((f) => statSync(join(home, 'spool', d, f)).size)).reduce((a, b) => a + b, 0);
}

describe('the gauges of status', () => {
  it('Kilobytes Used is the queued mail in the spool, Kilobytes Free the room on its filesystem', async () => {
    const { engine, home } = await startEngine();
    homes.push(home);
    try {
      engine.suspendDelivery('ALL');
      expect(engine.status().gauges.kilobytesUsed).toBe(0);
      await injectTraffic(engine.listenerAddress(), { count: 3, to: ['example.com'], size: 40_000 });
      await waitFor(() => engine.status().gauges.activeRecipients === 3);
      await waitFor(() => engine.status().gauges.kilobytesUsed === Math.ceil(spoolBytes(home) / 1024));
      const g = engine.status().gauges;
      expect(g.kilobytesUsed).toBeGreaterThanOrEqual(120);
      const fs = statfsSync(join(home, 'spool'));
      // the free space moves as anything on the machine writes: within a few megabytes
      expect(Math.abs(g.kilobytesFree - (fs.bavail * fs.bsize) / 1024)).toBeLessThan(50_000);
      const logs = statfsSync(join(home, 'logs'));
      expect(g.loggingDiskUsage).toBe(Math.round(((logs.blocks - logs.bfree) / logs.blocks) * 100));
      for (const p of [g.ramUtilization, g.cpuLoad, g.mgaCpu, g.diskIoUtilization]) {
        expect(p).toBeGreaterThanOrEqual(0);
        expect(p).toBeLessThanOrEqual(100);
      }
    } finally {
      await engine.stop();
    }
  });
});
