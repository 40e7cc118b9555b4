import { randomBytes } from 'node:crypto';
import type { Appliance } from '../engine/appliance.js';
import { loginGuardOf } from '../engine/login-guard.js';
import { SESSION_TIMEOUT_MS, type Session } from '../engine/sessions.js';

/** A browser logged in as admin: an appliance session of its own, with its own pending changes. */
export interface Login {
  /** the secret its cookie carries */
  token: string;
  /** what the authentication log calls it (the token is never written anywhere) */
  name: string;
  session: Session;
  lastSeen: number;
}

/** AsyncOS's default web interface inactivity timeout. */
export const DEFAULT_IDLE_MS = SESSION_TIMEOUT_MS;

/**
 * The web logins of one appliance, by the random token their cookie carries. A login idle for
 * longer than the timeout is closed (its uncommitted changes dropped, as AsyncOS does at logout),
 * when it is next used or by a sweep, so that `who` does not list it. Real time, not the
 * appliance clock: a lab running 20 times faster must not log the trainee out.
 */
export class WebLogins {
  readonly #byToken = new Map<string, Login>();
  readonly #sweep: NodeJS.Timeout;

  constructor(
    private readonly appliance: Appliance,
    readonly idleMs = DEFAULT_IDLE_MS,
    private readonly now: () => number = Date.now,
  ) {
    this.#sweep = setInterval(() => this.#expire(), Math.min(60_000, idleMs)).unref();
    // the authentication log exists from the start: tail and grep list it before the first login
    loginGuardOf(appliance).log.flush();
  }

  /** A login the login guard has let in. */
  open(from: string): Login {
    const session = this.appliance.sessions.open('web', from);
    const login: Login = { token: randomBytes(32).toString('base64url'), name: randomBytes(10).toString('hex'), session, lastSeen: this.now() };
    this.#byToken.set(login.token, login);
    return login;
  }

  /**
   * The login of a cookie; null when unknown or idle too long (then closed). `activity` false for
   * a page's own refresh (a live table polling), which keeps nobody logged in.
   */
  use(token: string | undefined, activity = true): Login | null {
    const login = token ? this.#byToken.get(token) : undefined;
    if (!login) return null;
    if (this.now() - login.lastSeen > this.idleMs) {
      this.close(login, 'idle');
      return null;
    }
    if (activity) {
      login.lastSeen = this.now();
      login.session.running(null);
    }
    return login;
  }

  /** Ends a login: logged out, idle too long, or the web interface stopping (which logs nothing). */
  close(login: Login, why: 'logout' | 'idle' | 'stop' = 'logout'): void {
    if (!this.#byToken.delete(login.token)) return;
    login.session.close();
    if (why !== 'stop') loginGuardOf(this.appliance).log.loggedOut(login.session.user, 'web', login.session.from, login.name, why === 'idle');
  }

  closeAll(): void {
    clearInterval(this.#sweep);
    for (const login of [...this.#byToken.values()]) this.close(login, 'stop');
    loginGuardOf(this.appliance).log.flush();
  }

  #expire(): void {
    const now = this.now();
    for (const login of [...this.#byToken.values()]) if (now - login.lastSeen > this.idleMs) this.close(login, 'idle');
  }
}
