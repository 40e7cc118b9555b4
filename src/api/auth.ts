import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Appliance } from '../engine/appliance.js';
import { loginGuardOf, type LoginResult } from '../engine/login-guard.js';
import { SESSION_TIMEOUT_MS, type Session } from '../engine/sessions.js';
import { sendError } from './envelope.js';

/** Who made an API request, once `authenticate` let it through. */
export interface ApiCaller {
  user: string;
  /** a token of a login (`POST /esa/api/v2.0/login`), or HTTP Basic on this request alone */
  via: 'token' | 'basic';
  /** the login's appliance session (`who` lists it while its token lasts); null for Basic: a read of its own */
  session: Session | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** set by `authenticate`; null before it ran or on a public route */
    apiCaller: ApiCaller | null;
  }
}

/**
 * The AsyncOS API's authentication, a fastify preHandler:
 *
 * ```ts
 * export async function myRoutes(app: FastifyInstance, { appliance, authenticate }: ApiPluginOptions) {
 *   app.addHook('preHandler', authenticate); // every route of the plugin, or per route:
 *   app.get('/xml/status', { preHandler: authenticate }, async (request) => ... request.apiCaller!.user ...);
 * }
 * ```
 *
 * It accepts, in this order: a token of `POST /esa/api/v2.0/login` in a `jwtToken` header, the
 * same token as `Authorization: Bearer <token>`, or `Authorization: Basic` with the admin's user
 * name and password (checked by the engine's login guard: slowed, counted, locked and written to
 * `logs/authentication` as an API login, each request on its own). Anything else is answered 401
 * in AsyncOS's envelope `{"error":{"message","code":"401","explanation"}}` (with
 * `WWW-Authenticate: Basic`), and the handler does not run. Let through, `request.apiCaller` says
 * who called. A token used within its last minutes gets a fresh one in the `jwtToken` response
 * header, as AsyncOS does.
 *
 * Errors a handler throws are answered in the same envelope by the server's error handler: an
 * `ApiError` (src/api/envelope.ts) with its status and message, a `UserError` of the engine as
 * 400 with its message; `sendError(reply, status, message)` answers one directly.
 */
export type Authenticate = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

/** What the server gives each route plugin it registers. */
export interface ApiPluginOptions {
  appliance: Appliance;
  authenticate: Authenticate;
}

/** A login of the API: an appliance session, alive while its latest token is. */
export interface ApiLogin {
  /** the tokens' `jti`, never written anywhere */
  id: string;
  user: string;
  session: Session;
  /** when its latest token expires (ms) */
  expiresAt: number;
}

/** A token used within this long of its expiry comes back refreshed (AsyncOS: 5 minutes). */
const REFRESH_MS = 5 * 60_000;

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');
const JWT_HEADER = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));

/**
 * The API's logins, by the id their tokens carry. A token is a JWT (HS256) signed with a secret of
 * this appliance's API made at start (tokens end with the process, as its sessions do); it
 * expires after the session timeout (AsyncOS: "JWT validity equals the user inactivity timeout"),
 * and its login's session is closed then. Real time, as the web's logins: a lab running faster
 * does not shorten them.
 */
export class ApiLogins {
  readonly #secret = randomBytes(32);
  readonly #byId = new Map<string, ApiLogin>();
  readonly #sweep: NodeJS.Timeout;

  constructor(
    private readonly appliance: Appliance,
    readonly timeoutMs = SESSION_TIMEOUT_MS,
    private readonly now: () => number = Date.now,
  ) {
    this.#sweep = setInterval(() => this.#expire(), Math.min(60_000, Math.max(250, timeoutMs / 4))).unref();
  }

  /** A login the login guard has let in, and its first token. */
  open(user: string, from: string): { login: ApiLogin; token: string } {
    const login: ApiLogin = { id: randomBytes(16).toString('base64url'), user, session: this.appliance.sessions.open('api', from), expiresAt: 0 };
    this.#byId.set(login.id, login);
    return { login, token: this.#issue(login) };
  }

  #sign(data: string): string {
    return createHmac('sha256', this.#secret).update(data).digest('base64url');
  }

  #issue(login: ApiLogin): string {
    const iat = this.now();
    login.expiresAt = iat + this.timeoutMs;
    // exp in milliseconds as well as JWT's seconds: a lab's short timeout is not rounded away
    const payload = b64url(JSON.stringify({ sub: login.user, jti: login.id, iat: Math.floor(iat / 1000), exp: Math.ceil(login.expiresAt / 1000), expMs: login.expiresAt }));
    return `${JWT_HEADER}.${payload}.${this.#sign(`${JWT_HEADER}.${payload}`)}`;
  }

  /** The login of a token: signed by this API, not expired, its login still open; else why not. */
  verify(token: string): { login: ApiLogin; expiresAt: number } | { problem: string } {
    const parts = token.split('.');
    if (parts.length !== 3 || parts[0] !== JWT_HEADER) return { problem: 'the token is not one this appliance issued' };
    const expected = Buffer.from(this.#sign(`${parts[0]}.${parts[1]}`));
    const given = Buffer.from(parts[2]!);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { problem: 'the token is not one this appliance issued' };
    let claims: { jti?: unknown; expMs?: unknown };
    try {
      claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as typeof claims;
    } catch {
      return { problem: 'the token is not one this appliance issued' };
    }
    const login = typeof claims.jti === 'string' ? this.#byId.get(claims.jti) : undefined;
    const expiresAt = typeof claims.expMs === 'number' ? claims.expMs : 0;
    if (expiresAt <= this.now()) return { problem: 'the token has expired; log in again' };
    if (!login) return { problem: 'the token’s login has ended; log in again' };
    return { login, expiresAt };
  }

  /** A fresh token for a login whose token expires soon (null: not yet). */
  refresh(login: ApiLogin, expiresAt: number): string | null {
    const window = Math.min(REFRESH_MS, this.timeoutMs / 6);
    if (expiresAt - this.now() > window || expiresAt < login.expiresAt) return null;
    return this.#issue(login);
  }

  /** How many logins are open. */
  get size(): number {
    return this.#byId.size;
  }

  close(login: ApiLogin): void {
    if (this.#byId.delete(login.id)) login.session.close();
  }

  closeAll(): void {
    clearInterval(this.#sweep);
    for (const login of [...this.#byId.values()]) this.close(login);
  }

  #expire(): void {
    const now = this.now();
    for (const login of [...this.#byId.values()]) if (login.expiresAt <= now) this.close(login);
  }
}

/** A login refused, in the envelope's message. */
export function refusal(result: Exclude<LoginResult, { ok: true }>): string {
  if (result.reason === 'failed') return 'Unauthorized: the user name or passphrase is not correct.';
  const minutes = Math.max(1, Math.ceil(result.retryAfterMs / 60_000));
  return `Unauthorized: the account ${result.user} is locked after ${result.failures} failed login attempts; try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`;
}

/** User and password of an `Authorization: Basic` value; null when it is not one. */
function basicCredentials(value: string): { user: string; password: string } | null {
  const m = /^Basic\s+([A-Za-z0-9+/]+={0,2})\s*$/i.exec(value);
  if (!m) return null;
  const text = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  return colon < 0 ? null : { user: text.slice(0, colon), password: text.slice(colon + 1) };
}

const unauthorized = (reply: FastifyReply, message: string) => sendError(reply.header('WWW-Authenticate', 'Basic realm="AsyncOS API"'), 401, message);

/** The `authenticate` preHandler of an API (see `Authenticate`). */
export function authenticator(appliance: Appliance, logins: ApiLogins): Authenticate {
  return async (request, reply) => {
    request.apiCaller = null;
    const header = request.headers.jwttoken;
    const authorization = request.headers.authorization ?? '';
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
    const token = (Array.isArray(header) ? header[0] : header) ?? bearer;
    if (token !== undefined) {
      const found = logins.verify(token.trim());
      if ('problem' in found) {
        await unauthorized(reply, `Unauthorized: ${found.problem}.`);
        return;
      }
      const fresh = logins.refresh(found.login, found.expiresAt);
      if (fresh) void reply.header('jwtToken', fresh);
      found.login.session.running(null);
      request.apiCaller = { user: found.login.user, via: 'token', session: found.login.session };
      return;
    }
    if (/^Basic\b/i.test(authorization)) {
      const credentials = basicCredentials(authorization);
      if (!credentials) {
        await unauthorized(reply, 'Unauthorized: the Authorization header is not Basic base64(user:passphrase).');
        return;
      }
      const result = await loginGuardOf(appliance).check({ ...credentials, from: request.ip, frontEnd: 'api' });
      if (!result.ok) {
        await unauthorized(reply, refusal(result));
        return;
      }
      request.apiCaller = { user: result.user, via: 'basic', session: null };
      return;
    }
    await unauthorized(reply, authorization ? 'Unauthorized: the Authorization header is neither Basic nor Bearer.' : 'Unauthorized.');
  };
}
