import { readFileSync } from 'node:fs';
import { startAppliance } from '../../src/cli/run-appliance.js';
import { commandRegistry } from '../../src/commands/registry.js';
import { Appliance } from '../../src/engine/appliance.js';
import { compressedClock } from '../../src/engine/clock.js';
import { TDC_QUEUE } from '../../src/engine/config/model.js';
import { injectTraffic } from '../../src/lab/traffic.js';
import { mailLog, waitFor } from '../helpers/engine.js';
import { commitEdit, labHome } from '../helpers/scripted.js';
import { canMountDisk, smallDisk } from '../helpers/small-disk.js';
import { removeAfterFile } from '../helpers/cleanup.js';
import { setdStoreOf } from '../../src/setd/appliance-store.js';

describe.skipIf(!canMountDisk)('the SETD intake on a full disk (a tmpfs of its own)', () => {
  it("answers 451 while a journal cannot be stored; TDC's one retry stores it once space is back, and every journal logged as delivered is in the store", async () => {
    // Given an appliance journaling every clean message to its SETD account, whose journals are
    // stored on a small disk (TDC retries after 5 s of appliance time: 1 s here)
    const home = removeAfterFile(labHome());
    const a = new Appliance({ home, clock: compressedClock(5) });
    const account = setdStoreOf(a).createAccount({});
    await commitEdit(a, (c) => void (c.tdc = { enabled: true, intakeAddress: account.intakeAddress }), 'journal everything');
    const disk = smallDisk(`${a.paths.setd}/messages`);
    const running = await startAppliance(a, commandRegistry());
    const tdc = () => running.engine.hosts().find((h) => h.host === TDC_QUEUE);
    const delivered = () => tdc()?.deliveredRecipients ?? 0;
    const softBounced = () => tdc()?.softBouncedEvents ?? 0;
    const subjects: string[] = [];
    const send = async () => {
      const subject = `journal ${subjects.length + 1}`;
      subjects.push(subject);
      const [before, beforeSoft] = [delivered(), softBounced()];
      await injectTraffic(running.engine.listenerAddress(), { count: 1, to: ['example.com'], subject });
      await waitFor(() => delivered() > before || softBounced() > beforeSoft, 15_000, `the journal of "${subject}"`);
    };
    try {
      await send();
      expect(delivered()).toBe(1);

      // When the disk fills up and journals keep coming, one of them needs a page there is not
      disk.fill();
      while (softBounced() === 0) {
        if (subjects.length > 40) throw new Error('every journal was stored on a full disk');
        await send();
      }

      // Then it is answered 451, naming the failed write
      expect(mailLog(home, running.engine)).toMatch(
        /Delayed: DCID \d+ MID \d+ to RID 0 - 4\.1\.0 - Unknown address error \('451', \['4\.3\.0 Local error in processing: ENOSPC: no space left on device, write \(segsim\)'\]\)/,
      );

      // When space is back before TDC's retry, the retry is stored, and so is a journal sent after it
      disk.free();
      await waitFor(() => delivered() === subjects.length, 15_000, 'the retried journal');
      await send();
      expect(delivered()).toBe(subjects.length);

      // Then every journal logged as delivered is in the store, readable, each once
      const log = mailLog(home, running.engine);
      expect(log.match(/successfully delivered for scanning/g)).toHaveLength(subjects.length);
      expect(
        setdStoreOf(a)
          .messages(account.id)
          .map((m) => m.subject)
          .sort(),
      ).toEqual([...subjects].sort());
      expect(readFileSync(`${a.paths.setd}/messages/${account.id}.jsonl`, 'utf8').split('\n').filter(Boolean)).toHaveLength(subjects.length);
    } finally {
      await running.stop();
    }
  }, 60_000);
});
