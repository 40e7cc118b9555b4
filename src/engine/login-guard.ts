import { setImmediate as nextTurn } from 'node:timers/promises';
import { checkAdminPassword, isAccount } from './admin-account.js';
import type { Appliance } from './appliance.js';
import { AuthLog, type LoginFrontEnd } from './auth-log.js';
import type { HomePaths } from './home.js';

/** A login as a front end received it. */
export interface LoginAttempt {
  user: string;
  password: string;
  /** the client's address */
  from: string;
  frontEnd: LoginFrontEnd;
}

/** What a login comes to; each front end words it its own way. */
export type LoginResult =
  | { ok: true; user: string }
  | { ok: false; reason: 'failed' }
  /** the account is locked (this attempt's password was not even checked, or was the last failure) */
  | { ok: false; reason: 'locked'; user: string; failures: number; retryAfterMs: number };

/** AsyncOS locks an account after 5 failed logins in a row by default (User Guide, "User Account Lock"). */
export const MAX_FAILED_LOGINS = 5;
/** AsyncOS keeps it locked until an administrator unlocks it; the lab's one admin could never log in again, so the lock ends. */
export const LOGIN_LOCK_MS = 5 * 60_000;
/** How long a failed login waits before its answer. */
export const FAILED_LOGIN_DELAY_MS = 1000;

export interface LoginGuardOptions {
  maxFailures?: number;
  lockMs?: number;
  failureDelayMs?: number;
  /**
   * The time locks are measured in: real time by default, as the web logins' idle timeout, so
   * that a lab running 20 times faster does not shorten a lock.
   */
  now?: () => number;
}

interface AccountState {
  /** failed logins in a row */
  failures: number;
  lockedUntil: number;
  /** settles when the account's attempt in progress is answered */
  turn: Promise<void>;
}

const FAILED: LoginResult = { ok: false, reason: 'failed' };

/**
 * The one place a login is decided, for every front end (web interface, SSH, the API): the
 * password is hashed off the event loop, a failed login is answered only after a delay, and an
 * account is locked after a number of failures in a row, a correct password included; every
 * attempt goes to the authentication log. An account takes one attempt at a time, so that a burst
 * of guesses costs a few hashes (until the lock) and no more: the others wait their turn and are
 * then refused as locked without hashing.
 */
export class LoginGuard {
  readonly #accounts = new Map<string, AccountState>();
  readonly #maxFailures: number;
  readonly #lockMs: number;
  readonly #delayMs: number;
  readonly #now: () => number;

  constructor(
    private readonly paths: HomePaths,
    readonly log: AuthLog,
    options: LoginGuardOptions = {},
  ) {
    this.#maxFailures = options.maxFailures ?? MAX_FAILED_LOGINS;
    this.#lockMs = options.lockMs ?? LOGIN_LOCK_MS;
    this.#delayMs = options.failureDelayMs ?? FAILED_LOGIN_DELAY_MS;
    this.#now = options.now ?? Date.now;
  }

  async check(attempt: LoginAttempt): Promise<LoginResult> {
    if (!isAccount(attempt.user)) {
      // nothing to hash and nothing to lock, but answered as late as a wrong password
      this.log.failed(attempt.user, attempt.frontEnd, attempt.from);
      await this.#pause();
      return FAILED;
    }
    const account = this.#account(attempt.user);
    const previous = account.turn;
    let done!: () => void;
    account.turn = new Promise((resolve) => (done = resolve));
    try {
      await previous;
      // each waiting attempt is answered in a turn of the event loop of its own: a burst released
      // by a lock would otherwise be decided, logged and answered in one run of promise callbacks,
      // holding up every timer (an SMTP greeting) until the last of them
      await nextTurn();
      return await this.#decide(account, attempt);
    } finally {
      done();
    }
  }

  async #decide(account: AccountState, { user, password, from, frontEnd }: LoginAttempt): Promise<LoginResult> {
    if (account.lockedUntil > this.#now()) {
      this.log.failed(user, frontEnd, from);
      return this.#locked(account, user);
    }
    let correct: boolean;
    try {
      correct = await checkAdminPassword(this.paths, user, password);
    } catch (error) {
      // a bad password file (set aside, named in the error the front end shows): still an attempt that failed
      this.log.failed(user, frontEnd, from);
      throw error;
    }
    if (correct) {
      account.failures = 0;
      this.log.loggedOn(user, frontEnd, from);
      return { ok: true, user };
    }
    this.log.failed(user, frontEnd, from);
    const lockNow = ++account.failures >= this.#maxFailures;
    if (lockNow) {
      account.failures = 0;
      account.lockedUntil = this.#now() + this.#lockMs;
      this.log.locked(user, this.#maxFailures, Math.ceil(this.#lockMs / 60_000));
    }
    // the account's next attempt waits for this pause too: guesses sent together go no faster than one by one
    await this.#pause();
    return lockNow ? this.#locked(account, user) : FAILED;
  }

  #locked(account: AccountState, user: string): LoginResult {
    return { ok: false, reason: 'locked', user, failures: this.#maxFailures, retryAfterMs: Math.max(0, account.lockedUntil - this.#now()) };
  }

  #account(user: string): AccountState {
    let account = this.#accounts.get(user);
    if (!account) {
      account = { failures: 0, lockedUntil: 0, turn: Promise.resolve() };
      this.#accounts.set(user, account);
    }
    return account;
  }

  #pause(): Promise<void> {
    return this.#delayMs > 0 ? new Promise((resolve) => setTimeout(resolve, this.#delayMs)) : Promise.resolve();
  }
}

const guards = new WeakMap<Appliance, LoginGuard>();

/**
 * The login guard of an appliance, made when first used (one-shot commands never load it): its
 * front ends share it, so failures count for the account whatever the front end, as on AsyncOS.
 */
export function loginGuardOf(appliance: Appliance): LoginGuard {
  let guard = guards.get(appliance);
  if (!guard) {
    guard = new LoginGuard(appliance.paths, new AuthLog(appliance.logs.channel('authentication')));
    guards.set(appliance, guard);
  }
  return guard;
}
