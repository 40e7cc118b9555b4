import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { commitCommand } from '../../src/commands/commit.js';
import { Appliance } from '../../src/engine/appliance.js';
import { ROLLBACK_POINTS_KEPT } from '../../src/engine/config/rollback-points.js';
import { expectGolden } from '../helpers/golden.js';
import { Conversation } from '../../src/conversation/conversation.js';
import { consoleSession, runScripted, scriptedIO, tempHome, testHost } from '../helpers/scripted.js';

const NOW = Date.UTC(2024, 1, 16, 21, 19, 22);
/** An appliance on a fixed clock with one pending change in the console session. */
function pending(hostname = 'esa2.example.com') {
  const home = tempHome();
  let now = NOW;
  const appliance = new Appliance({ home, clock: { now: () => now++, setTimeout: () => ({ cancel() {} }) } });
  consoleSession(appliance).config.edit((c) => void (c.hostname = hostname));
  return appliance;
}

const points = (appliance: Appliance) => {
  const dir = join(appliance.paths.root, 'rollback');
  return existsSync(dir) ? readdirSync(dir).sort() : [];
};

describe('commit', () => {
  it('matches the golden dialog: comment, the rollback question, the date with its zone', async () => {
    const appliance = pending();
    const { transcript } = await runScripted(commitCommand, ['renamed for the lab', ''], { appliance });
    expectGolden('commit.txt', transcript);
    expect(appliance.configuration.current.hostname).toBe('esa2.example.com');
    // Y (the default) saved the configuration just committed as a rollback point
    const [point] = points(appliance);
    expect(point).toMatch(/^20240216T211922\.\d{3}Z\.json$/);
    const saved = JSON.parse(readFileSync(join(appliance.paths.root, 'rollback', point!), 'utf8')) as { comment: string; config: { hostname: string } };
    expect(saved).toMatchObject({ comment: 'renamed for the lab', config: { hostname: 'esa2.example.com' } });
  });

  it('asks nothing with --comment (the batch form) and saves the rollback point', async () => {
    const appliance = pending();
    const { transcript } = await runScripted(commitCommand, [], { appliance, flags: { comment: 'batch' } });
    expect(transcript).toBe('\nChanges committed: Fri Feb 16 21:19:22 2024 UTC\n');
    expect(points(appliance)).toHaveLength(1);
  });

  it('saves no rollback point when answered N, or with --no-rollback', async () => {
    const no = pending();
    expect((await runScripted(commitCommand, ['x', 'n'], { appliance: no })).transcript).toContain('Changes committed:');
    expect(points(no)).toEqual([]);
    const flag = pending();
    const { transcript } = await runScripted(commitCommand, [], { appliance: flag, flags: { comment: 'batch', rollback: false } });
    expect(transcript).not.toContain('rollback');
    expect(transcript).toMatch(/^\nChanges committed: Fri Feb 16 21:19:22 2024 UTC\n$/);
    expect(points(flag)).toEqual([]);
    expect(flag.configuration.current.hostname).toBe('esa2.example.com');
  });

  it(`keeps the last ${ROLLBACK_POINTS_KEPT} rollback points`, async () => {
    const appliance = pending();
    for (let i = 0; i < ROLLBACK_POINTS_KEPT + 2; i++) {
      consoleSession(appliance).config.edit((c) => void (c.hostname = `esa${i}.example.com`));
      await runScripted(commitCommand, [`change ${i}`, 'y'], { appliance });
    }
    const kept = points(appliance);
    expect(kept).toHaveLength(ROLLBACK_POINTS_KEPT);
    const last = JSON.parse(readFileSync(join(appliance.paths.root, 'rollback', kept.at(-1)!), 'utf8')) as { comment: string };
    expect(last.comment).toBe(`change ${ROLLBACK_POINTS_KEPT + 1}`);
  });

  it('tells a conflict with another session before it asks for the comment and the rollback point', async () => {
    const appliance = pending('esa2.example.com');
    const other = appliance.sessions.open('script', 'other');
    other.config.edit((c) => void (c.hostname = 'esa3.example.com'));
    await other.config.commit('theirs');
    other.close();
    const io = scriptedIO(['mine', 'Y']);
    const ctx = { appliance, session: consoleSession(appliance), io: new Conversation(io), interactive: true, signal: new AbortController().signal, host: testHost };
    await expect(commitCommand.run(ctx, { args: [], flags: {} })).rejects.toThrow(/Another session committed a change to .*ostname/);
    expect(io.transcript()).toBe('');
    expect(io.remaining()).toBe(2);
    expect(points(appliance)).toEqual([]);
    expect(appliance.configuration.current.hostname).toBe('esa3.example.com');
    expect(consoleSession(appliance).config.hasChanges()).toBe(true);
  });

  it('says when there is nothing to commit', async () => {
    const appliance = new Appliance({ home: tempHome() });
    expect((await runScripted(commitCommand, [], { appliance })).transcript).toBe('There is no data to commit.\n');
  });
});
