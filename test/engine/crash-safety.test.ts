import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startAppliance } from '../../src/cli/run-appliance.js';
import { commandRegistry } from '../../src/commands/registry.js';
import { Appliance } from '../../src/engine/appliance.js';
import { injectTraffic } from '../../src/lab/traffic.js';
import { SetdStore } from '../../src/setd/store.js';
import { waitFor } from '../helpers/engine.js';
import { commitEdit, labHome } from '../helpers/scripted.js';

const COUNT = 5000;

function mailboxMessageIds(home: string): string[] {
  const dir = `${home}/mailboxes`;
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((box) =>
    readdirSync(`${dir}/${box}`).filter((f) => f.endsWith('.eml')).map((f) => /^Message-ID: (.*)$/im.exec(readFileSync(`${dir}/${box}/${f}`, 'latin1'))?.[1]?.trim() ?? f),
  );
}

describe('crash safety', () => {
  it('SIGKILL mid-flight: every message answered 250 reaches the mailboxes and SETD after a restart; duplicates only from what was in flight', async () => {
    // Given an appliance in a child process that journals every message to SETD
    const home = labHome();
    const store = new SetdStore(`${home}/setd`);
    const intake = store.createAccount({ region: 'beta' }).intakeAddress;
    await commitEdit(new Appliance({ home }), (c) => void (c.tdc = { enabled: true, intakeAddress: intake }), 'journal everything');
    const script = fileURLToPath(new URL('../fixtures/run-appliance.mjs', import.meta.url));
    const child = spawn(process.execPath, [script, home], { stdio: ['ignore', 'pipe', 'inherit'] });
    const port = await new Promise<number>((resolve) => child.stdout.once('data', (d) => resolve(Number(String(d).trim()))));

    // When it is killed with SIGKILL while accepting and delivering
    let killed = false;
    const summary = await injectTraffic({ host: '127.0.0.1', port }, { count: COUNT, to: ['example.com'], concurrency: 10, size: 1000 }, (done) => {
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
    const running = await startAppliance(new Appliance({ home }), commandRegistry());
    try {
      await waitFor(() => new Set(mailboxMessageIds(home)).size >= summary.accepted && new Set(store.messages().map((m) => m.messageId)).size >= summary.accepted && running.engine.hosts().every((h) => h.activeRecipients === 0), 120_000, 'every accepted message delivered');
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
      console.log(`crash test: ${summary.accepted} accepted before the kill, ${deliveredAtKill.size} in mailboxes and ${journaledAtKill.size} at SETD at the kill, duplicates ${JSON.stringify(duplicates)}`);
    } finally {
      await running.stop();
    }
  }, 180_000);
});
