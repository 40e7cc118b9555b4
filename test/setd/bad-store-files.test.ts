import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { startAppliance, type RunningAppliance } from '../../src/cli/run-appliance.js';
import { setdCommand } from '../../src/commands/setd.js';
import { commandRegistry } from '../../src/commands/registry.js';
import { Appliance } from '../../src/engine/appliance.js';
import { injectTraffic } from '../../src/lab/traffic.js';
import { SetdStore } from '../../src/setd/store.js';
import { mailLog, waitFor } from '../helpers/engine.js';
import { commitEdit, labHome, runScripted, tempHome } from '../helpers/scripted.js';
import { startEmulator } from '../helpers/setd.js';
import { setdStoreOf } from '../../src/setd/appliance-store.js';

const homes: string[] = [];
afterEach(() => {
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
});

function appliance(home = tempHome()): Appliance {
  homes.push(home);
  return new Appliance({ home });
}

/** The copies set aside in setd/ for one store file, newest last. */
const keptAside = (a: Appliance, file: string) =>
  readdirSync(a.paths.setd)
    .filter((n) => n.startsWith(`${file}.bad-`))
    .sort();

const setd = (a: Appliance, args: string[], flags: Record<string, unknown> = {}) => runScripted(setdCommand, [], { appliance: a, args, flags, interactive: false });

describe('a bad setd/accounts.json', () => {
  it.each([
    ['torn JSON', '[{"id": "8c1f', /accounts\.json is not JSON: .*JSON/],
    ['JSON of the wrong shape', '{"accounts": []}', /accounts\.json is not valid: accounts must be a list, not an object/],
    [
      'an account missing its intake address',
      '[{"id": "x1", "name": "", "region": "beta", "segPresent": true, "segType": "cisco", "header": "X-IronPort-RemoteIP", "direction": "Incoming", "visibility": "Visibility Only", "createdAt": 1}]',
      /accounts\.json is not valid: accounts\[0\]\.intakeAddress is missing/,
    ],
  ])('(%s): the intake answers 451, the file is set aside and named by the commands, and a repaired file is served again', async (_what, bad, problem) => {
    // Given an account that receives journals
    const a = appliance();
    const e = await startEmulator({ appliance: a });
    try {
      const account = setdStoreOf(a).createAccount({ name: 'primary' });
      await e.send(account.intakeAddress);
      const good = readFileSync(`${a.paths.setd}/accounts.json`, 'utf8');

      // When accounts.json goes bad
      writeFileSync(`${a.paths.setd}/accounts.json`, bad);
      await waitFor(() => setdStoreOf(a).problems().length === 1, 5000, 'the store to notice');

      // Then the intake answers journals with a temporary error (TDC retries a 4xx once) and lives on
      await expect(e.send(account.intakeAddress)).rejects.toMatchObject({
        responseCode: 451,
        response: expect.stringContaining('4.3.0 Message Intake temporarily unavailable: the SETD accounts file is not valid'),
      });
      await expect(e.send(account.intakeAddress)).rejects.toMatchObject({ responseCode: 451 });
      // the bad file is set aside, byte for byte, never deleted
      expect(existsSync(`${a.paths.setd}/accounts.json`)).toBe(false);
      const [kept] = keptAside(a, 'accounts.json');
      expect(readFileSync(`${a.paths.setd}/${kept}`, 'utf8')).toBe(bad);
      // the commands name the file, the problem and the way out; nothing is created over it
      const said = new RegExp(`${problem.source}.*; it was set aside as ${kept!.replace(/\./g, '\\.')}: repair it and rename it back to accounts\\.json\\.`);
      await expect(setd(a, ['accounts'])).rejects.toThrow(said);
      await expect(setd(a, ['accounts'], { json: true })).rejects.toThrow(said);
      await expect(setd(a, ['setup'], { yes: true })).rejects.toThrow(said);
      expect(existsSync(`${a.paths.setd}/accounts.json`)).toBe(false);
      // so does another process, which finds only the set-aside copy
      expect(new SetdStore(a.paths.setd).problems()).toMatchObject([{ file: `${a.paths.setd}/accounts.json`, keptAs: `${a.paths.setd}/${kept}` }]);

      // When the operator repairs it and renames it back
      writeFileSync(`${a.paths.setd}/${kept}`, good);
      renameSync(`${a.paths.setd}/${kept}`, `${a.paths.setd}/accounts.json`);
      await waitFor(() => setdStoreOf(a).problems().length === 0, 5000, 'the store to see the repair');

      // Then journals are accepted again
      await e.send(account.intakeAddress);
      expect(setdStoreOf(a).messages(account.id)).toHaveLength(2);
      expect((await setd(a, ['accounts'])).transcript).toContain(account.intakeAddress);
    } finally {
      await e.setd.stop();
    }
  });

  it('a second bad file is set aside beside the first, under its own name', async () => {
    const a = appliance();
    expect(setdStoreOf(a).problems()).toEqual([]);
    writeFileSync(`${a.paths.setd}/accounts.json`, 'first');
    await waitFor(() => setdStoreOf(a).problems().length === 1 && keptAside(a, 'accounts.json').length === 1, 5000, 'the first copy');
    writeFileSync(`${a.paths.setd}/accounts.json`, 'second');
    await waitFor(() => setdStoreOf(a).problems().length === 1 && keptAside(a, 'accounts.json').length === 2, 5000, 'the second copy');
    expect(keptAside(a, 'accounts.json').map((n) => readFileSync(`${a.paths.setd}/${n}`, 'utf8'))).toEqual(['first', 'second']);
    expect(setdStoreOf(a).problems()[0]!.keptAs).toBe(`${a.paths.setd}/${keptAside(a, 'accounts.json')[1]}`);
  });
});

describe('a bad setd/faults.json', () => {
  it('applies no fault, is named by setd accounts and setd fault, and "setd fault none" starts a fresh one', async () => {
    const a = appliance();
    const e = await startEmulator({ appliance: a });
    try {
      const account = setdStoreOf(a).createAccount({ name: 'primary' });
      // Given a faults file of the wrong shape (a mode that does not exist) that would refuse everything if read loosely
      const bad = JSON.stringify([
        { account: null, mode: '5xx', code: 550 },
        { account: null, mode: 'explode' },
      ]);
      writeFileSync(`${a.paths.setd}/faults.json`, bad);
      await waitFor(() => setdStoreOf(a).problems().length === 1, 5000, 'the store to notice');
      // Then no fault applies: the journal is accepted
      await e.send(account.intakeAddress);
      expect(setdStoreOf(a).messages()).toHaveLength(1);
      const [kept] = keptAside(a, 'faults.json');
      expect(readFileSync(`${a.paths.setd}/${kept}`, 'utf8')).toBe(bad);
      const warning = `Warning: SETD store file ${a.paths.setd}/faults.json is not valid: faults[1].mode must be one of "4xx", "5xx", "tls", "timeout", "refuse", "slow"; it was set aside as ${kept}: repair it and rename it back to faults.json. The faults in it do not apply.`;
      const listed = await setd(a, ['accounts']);
      expect(listed.transcript).toContain(warning);
      expect(listed.transcript).toContain(account.intakeAddress);
      // When the operator clears the faults, the warning is shown once more and a fresh file starts
      const cleared = await setd(a, ['fault', 'none']);
      expect(cleared.transcript).toContain(warning);
      expect(cleared.transcript).toContain('Every fault cleared.');
      expect(setdStoreOf(a).problems()).toEqual([]);
      expect(keptAside(a, 'faults.json')).toEqual([kept]); // still kept
      // and faults work again
      await setd(a, ['fault', '4xx'], { code: '450' });
      await expect(e.send(account.intakeAddress)).rejects.toMatchObject({ responseCode: 450 });
    } finally {
      await e.setd.stop();
    }
  });
});

describe('a running appliance with bad SETD files', () => {
  const boxFiles = (home: string) =>
    existsSync(`${home}/mailboxes`) ? readdirSync(`${home}/mailboxes`).flatMap((box) => readdirSync(`${home}/mailboxes/${box}`).filter((f) => f.endsWith('.eml'))) : [];
  const journaled = (a: Appliance, subject: string) => new SetdStore(a.paths.setd).messages().filter((m) => m.subject === subject).length;

  it('keeps accepting and delivering ordinary mail, restarts, and journals again once the files are repaired', async () => {
    // Given an appliance that journals every clean message to its SETD account
    const home = labHome();
    const a = appliance(home);
    const account = setdStoreOf(a).createAccount({ region: 'beta' });
    await commitEdit(a, (c) => void (c.tdc = { enabled: true, intakeAddress: account.intakeAddress }), 'journal everything');
    let running: RunningAppliance = await startAppliance(a, commandRegistry());
    const send = (subject: string, count = 3) => injectTraffic(running.engine.listenerAddress(), { count, to: ['example.com'], subject, concurrency: 2 });
    try {
      await send('before');
      await waitFor(() => boxFiles(home).length === 3 && journaled(a, 'before') === 3, 15_000, 'the first messages and their journals');

      // When both store files go bad while it runs
      const good = readFileSync(`${a.paths.setd}/accounts.json`, 'utf8');
      writeFileSync(`${a.paths.setd}/accounts.json`, '[{"id": ');
      writeFileSync(`${a.paths.setd}/faults.json`, '{"mode": "refuse"}');
      // (seen by the running SETD within 250 ms: it looks at its files no more often)
      await waitFor(() => setdStoreOf(a).problems().length === 2, 5_000, 'the bad files seen');

      // Then ordinary mail is still accepted and delivered; the journals meet a temporary error
      expect((await send('while-bad')).accepted).toBe(3);
      await waitFor(() => boxFiles(home).length === 6, 15_000, 'ordinary delivery');
      await waitFor(() => /Delayed: .*451.*Message Intake temporarily unavailable/.test(mailLog(home, running.engine)), 15_000, 'the 451 in mail_logs');
      expect(journaled(a, 'while-bad')).toBe(0);

      // and a restart while the files are bad (the journals still queued) brings everything up again
      await running.stop();
      running = await startAppliance(new Appliance({ home }), commandRegistry());
      expect((await send('after-restart', 2)).accepted).toBe(2);
      await waitFor(() => boxFiles(home).length === 8, 15_000, 'ordinary delivery after the restart');

      // When the accounts file is repaired
      writeFileSync(`${a.paths.setd}/accounts.json`, good);

      // Then new journals are accepted again (the bad faults file set aside: no fault applies)
      await send('repaired');
      // the originals and their copies travel apart: wait for both
      await waitFor(() => journaled(a, 'repaired') === 3 && boxFiles(home).length >= 11, 20_000, 'journals and originals after the repair');
      expect(boxFiles(home).length).toBe(11);
      expect(keptAside(a, 'accounts.json')).toHaveLength(1);
      expect(keptAside(a, 'faults.json')).toHaveLength(1);
    } finally {
      await running.stop();
    }
  }, 60_000);
});
