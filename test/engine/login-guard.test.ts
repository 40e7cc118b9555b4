import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { checkAdminPassword, setAdminPassword } from '../../src/engine/admin-account.js';
import { AuthLog } from '../../src/engine/auth-log.js';
import { defaultConfig } from '../../src/engine/config/model.js';
import { homePaths } from '../../src/engine/home.js';
import { LoginGuard, type LoginAttempt } from '../../src/engine/login-guard.js';
import { ApplianceLogs } from '../../src/engine/logs/appliance-logs.js';
import { tempHome } from '../helpers/scripted.js';

const PASSWORD = 'lab-passw0rd';
const LOCK_MS = 5 * 60_000;

async function guarded(options: { failureDelayMs?: number } = {}) {
  const paths = homePaths(tempHome());
  await setAdminPassword(paths, PASSWORD);
  const clock = { now: 1_700_000_000_000 };
  const file = join(paths.logs, 'authentication', 'authentication.current');
  const logs = new ApplianceLogs({ logsDir: paths.logs, now: () => clock.now, config: defaultConfig, header: () => [] });
  const log = new AuthLog(logs.channel('authentication'));
  const guard = new LoginGuard(paths, log, { lockMs: LOCK_MS, failureDelayMs: options.failureDelayMs ?? 0, now: () => clock.now });
  const attempt = (password: string, extra: Partial<LoginAttempt> = {}) => guard.check({ user: 'admin', password, from: '10.1.1.1', frontEnd: 'web', ...extra });
  const lines = () => {
    log.flush();
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l !== '');
  };
  return { paths, clock, guard, attempt, lines };
}

describe('the login guard', () => {
  it('locks the account after 5 failed logins in a row, a correct password included, until the lock ends', async () => {
    const { clock, attempt, lines } = await guarded();
    for (let i = 0; i < 4; i++) expect(await attempt(`wrong-${i}`)).toEqual({ ok: false, reason: 'failed' });
    expect(await attempt('wrong-4')).toEqual({ ok: false, reason: 'locked', user: 'admin', failures: 5, retryAfterMs: LOCK_MS });
    clock.now += 60_000;
    expect(await attempt(PASSWORD)).toMatchObject({ ok: false, reason: 'locked', retryAfterMs: LOCK_MS - 60_000 });
    clock.now += LOCK_MS - 60_000 - 1;
    expect(await attempt(PASSWORD)).toMatchObject({ ok: false, reason: 'locked', retryAfterMs: 1 });
    clock.now += 1;
    expect(await attempt(PASSWORD)).toEqual({ ok: true, user: 'admin' });
    expect(lines().filter((l) => / Warning: The user admin is locked out for 5 minutes after 5 failed authentication attempts\.$/.test(l))).toHaveLength(1);
  });

  it('counts failures in a row: a login in between starts the count again; every front end counts for the account', async () => {
    const { attempt } = await guarded();
    for (let i = 0; i < 4; i++) await attempt(`wrong-${i}`);
    expect(await attempt(PASSWORD)).toEqual({ ok: true, user: 'admin' });
    for (let i = 0; i < 2; i++) expect(await attempt(`web-${i}`)).toMatchObject({ reason: 'failed' });
    for (let i = 0; i < 2; i++) expect(await attempt(`ssh-${i}`, { frontEnd: 'ssh' })).toMatchObject({ reason: 'failed' });
    expect(await attempt('api-0', { frontEnd: 'api' })).toMatchObject({ reason: 'locked' });
    expect(await attempt(PASSWORD, { frontEnd: 'ssh' })).toMatchObject({ reason: 'locked' });
  });

  it('takes one attempt of an account at a time: of 50 guesses sent together, 5 are checked and 45 refused as locked', async () => {
    const { attempt, lines } = await guarded({ failureDelayMs: 20 });
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => attempt(`guess-${i}`)));
    expect(results.filter((r) => !r.ok && r.reason === 'failed')).toHaveLength(4);
    expect(results.filter((r) => !r.ok && r.reason === 'locked')).toHaveLength(46);
    // the 5th guess locked the account; every guess is in the log
    expect(lines().filter((l) => l.includes('An authentication attempt by the user admin from 10.1.1.1 failed'))).toHaveLength(50);
  });

  it('refuses an unknown user without locking anything, and logs the name as one word', async () => {
    const { attempt, lines } = await guarded();
    for (let i = 0; i < 6; i++) expect(await attempt(PASSWORD, { user: 'root' })).toEqual({ ok: false, reason: 'failed' });
    expect(await attempt(PASSWORD, { user: 'evil\nFri Mar 25 20:50:10 2022 Info: forged' })).toEqual({ ok: false, reason: 'failed' });
    expect(await attempt(PASSWORD)).toEqual({ ok: true, user: 'admin' });
    expect(lines().filter((l) => l.includes('forged'))).toEqual([
      expect.stringMatching(/ Info: An authentication attempt by the user evil\?Fri\?Mar\?25\?20:50:10\?2022\?Info:\?forged from 10\.1\.1\.1 failed using an HTTPS connection\.$/),
    ]);
  });

  it('a bad password file fails the login with its error (the file set aside) and is in the log as a failed attempt', async () => {
    const { paths, attempt, lines } = await guarded();
    writeFileSync(join(paths.root, 'admin-password.json'), '{"torn');
    await expect(attempt(PASSWORD)).rejects.toThrow(/admin password file .* is not valid; it was set aside/);
    expect(lines().filter((l) => l.includes('An authentication attempt by the user admin from 10.1.1.1 failed'))).toHaveLength(1);
  });

  it('hashes off the event loop: 20 password checks leave it free', async () => {
    const { paths } = await guarded();
    const before = performance.eventLoopUtilization();
    const checks = await Promise.all(Array.from({ length: 20 }, (_, i) => checkAdminPassword(paths, 'admin', i === 0 ? PASSWORD : `wrong-${i}`)));
    const busy = performance.eventLoopUtilization(before);
    expect(checks.filter(Boolean)).toHaveLength(1);
    // scryptSync kept the loop busy the whole time (utilization near 1)
    expect(busy.utilization).toBeLessThan(0.5);
  });
});
