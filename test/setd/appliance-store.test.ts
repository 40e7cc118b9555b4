import { rmSync } from 'node:fs';
import { connect } from 'node:net';
import { setdCommand } from '../../src/commands/setd.js';
import { Appliance } from '../../src/engine/appliance.js';
import { systemClock, type Clock } from '../../src/engine/clock.js';
import { SetdStore } from '../../src/setd/store.js';
import { runScripted, tempHome } from '../helpers/scripted.js';
import { startEmulator } from '../helpers/setd.js';
import { setdStoreOf } from '../../src/setd/appliance-store.js';

/** An appliance clock that moves only when told (its timers are real ones). */
function steppedClock(start: number): Clock & { advance(ms: number): void } {
  let now = start;
  return { now: () => now, advance: (ms) => void (now += ms), setTimeout: systemClock.setTimeout };
}

/** What a fresh TCP connection to the intake sees: greeted, or the socket error code. */
function attempt(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('data', () => (socket.destroy(), resolve('greeted')));
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

/** Tries until a connection sees `outcome` (the emulator applies refuse at once, or at its next poll). */
async function until(port: number, outcome: string): Promise<void> {
  let last = '';
  for (let tries = 0; (last = await attempt(port)) !== outcome; tries++) {
    if (tries > 100) throw new Error(`never ${outcome} (last: ${last})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('one SETD store per appliance, on its clock', () => {
  const homes: string[] = [];
  afterEach(() => {
    for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
  });

  function appliance(clock?: Clock): Appliance {
    const a = new Appliance({ home: tempHome(), clock });
    homes.push(a.paths.root);
    return a;
  }

  it('commands and the intake share the appliance store; a fault set by a command is an event the intake hears', async () => {
    const a = appliance();
    expect(setdStoreOf(a)).toBe(setdStoreOf(a));
    let told = 0;
    setdStoreOf(a).on('faults', () => told++);
    await runScripted(setdCommand, [], { appliance: a, args: ['fault', 'timeout'], interactive: false });
    expect(told).toBe(1);
    expect(setdStoreOf(a).activeFaults()).toMatchObject([{ account: null, mode: 'timeout' }]);
  });

  it('--for-seconds runs on the appliance clock: the fault ends when appliance time has passed, not real time', async () => {
    const clock = steppedClock(Date.UTC(2030, 0, 1, 9, 0, 0));
    const a = appliance(clock);
    const e = await startEmulator({ appliance: a });
    try {
      // Given a refuse fault for 10 seconds, set through the command
      const { transcript } = await runScripted(setdCommand, [], { appliance: a, args: ['fault', 'refuse'], flags: { forSeconds: '10' }, interactive: false });
      expect(transcript).toContain('until Tue Jan 01 09:00:10 2030');
      expect(setdStoreOf(a).activeFaults()[0]!.until).toBe(clock.now() + 10_000);
      await until(e.port, 'ECONNREFUSED');
      // When 9 appliance seconds pass, it still holds; when 11 have passed (no real wait), it has ended
      clock.advance(9_000);
      await new Promise((r) => setTimeout(r, 300)); // longer than the emulator's poll
      expect(await attempt(e.port)).toBe('ECONNREFUSED');
      clock.advance(2_000);
      await until(e.port, 'greeted');
      // and what the intake receives is stamped with appliance time
      const account = setdStoreOf(a).createAccount({});
      expect(account.createdAt).toBe(clock.now());
      await e.send(account.intakeAddress);
      expect(setdStoreOf(a).messages()[0]!.receivedAt).toBe(clock.now());
    } finally {
      await e.setd.stop();
    }
  });

  it('a fault written by another process (a one-shot run with no appliance to talk to) reaches the running intake', async () => {
    const a = appliance();
    const e = await startEmulator({ appliance: a });
    const other = new SetdStore(a.paths.setd); // what a one-shot `segsim setd fault` in another process opens
    try {
      other.setFault({ account: null, mode: 'refuse' });
      await until(e.port, 'ECONNREFUSED');
      other.setFault({ account: null, mode: 'none' });
      await until(e.port, 'greeted');
    } finally {
      await e.setd.stop();
    }
  });

  it('two appliances in one process keep their own stores and faults', async () => {
    const [a, b] = [appliance(), appliance()];
    const [ea, eb] = [await startEmulator({ appliance: a }), await startEmulator({ appliance: b })];
    try {
      await runScripted(setdCommand, [], { appliance: a, args: ['fault', 'refuse'], interactive: false });
      await until(ea.port, 'ECONNREFUSED');
      expect(await attempt(eb.port)).toBe('greeted');
      expect(setdStoreOf(b).faults()).toEqual([]);
    } finally {
      await ea.setd.stop();
      await eb.setd.stop();
    }
  });
});
