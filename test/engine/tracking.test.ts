import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { findeventCommand } from '../../src/commands/findevent.js';
import { TDC_QUEUE, type ApplianceConfig } from '../../src/engine/config/model.js';
import { MailEngine } from '../../src/engine/mail/mail-engine.js';
import { MessageTracking } from '../../src/engine/message-tracking.js';
import { readTracking } from '../../src/engine/tracking-store.js';
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
      for (const f of readdirSync(`${home}/logs`)) rmSync(`${home}/logs/${f}`);
      writeFileSync(`${home}/logs/mail_logs`, 'Fri Feb 16 21:19:24 2024 Info: TDC: copy 1 went to SETD fine\n');
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
        for (const m of originals) expect((await tracking.events(m.mid)).tdc).toEqual([expect.stringMatching(/ {2}TDC: Message \d+ was successfully delivered for scanning with Cisco Secure Email Threat Defense\.$/)]);
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
