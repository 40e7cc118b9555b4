import type { FastifyInstance } from 'fastify';
import { ADMIN_USER } from '../../engine/admin-account.js';
import { loginGuardOf, type LoginResult } from '../../engine/login-guard.js';
import { html } from '../html.js';
import { csrfField, document } from '../layout.js';
import { SESSION_COOKIE, sendPage, type WebContext } from '../context.js';

interface CookieOptions {
  path: string;
  httpOnly: boolean;
  sameSite: 'strict';
  secure: boolean;
}

/** Why a login was refused, in the page's words. */
function refusal(result: Exclude<LoginResult, { ok: true }>): string {
  if (result.reason === 'failed') return 'Authentication failed: the username or passphrase is not correct.';
  const minutes = Math.max(1, Math.ceil(result.retryAfterMs / 60_000));
  return `The account ${result.user} is locked after ${result.failures} failed login attempts. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`;
}

/**
 * The login page, login and logout. The login guard decides a login (and logs it); one let in
 * opens an appliance session of kind `web`.
 */
export function registerLoginRoutes(app: FastifyInstance, web: WebContext, cookieOpts: CookieOptions): void {
  const form = (csrf: string, problem?: string, user = '') =>
    document(
      'Cisco Secure Email Gateway - Log In',
      html`<div class="login">
<h1>Cisco Secure Email Gateway</h1>
<p class="muted">${web.appliance.configuration.current.hostname} (segsim lab appliance)</p>
${problem ? html`<div class="notice error">${problem}</div>` : ''}
<form method="post" action="/login">
  ${csrfField(csrf)}
  <label for="username">Username</label><input type="text" id="username" name="username" value="${user}" autocomplete="username" autofocus>
  <label for="password">Passphrase</label><input type="password" id="password" name="password" autocomplete="current-password">
  <div class="buttons"><button type="submit" class="primary">Login</button></div>
</form>
<p class="muted">The lab administrator is ${ADMIN_USER}; its password was shown when the appliance first started, and "passwd" in the CLI sets a new one.</p>
</div>`,
      'login-page',
    );

  app.get<{ Querystring: { expired?: string } }>('/login', (request, reply) =>
    sendPage(reply, form(reply.generateCsrf(), request.query.expired ? 'Your session has expired or ended. Please log in again.' : undefined)),
  );

  app.post<{ Body: { username?: string; password?: string } }>('/login', async (request, reply) => {
    const user = String(request.body?.username ?? '');
    const password = String(request.body?.password ?? '');
    const result = await loginGuardOf(web.appliance).check({ user, password, from: request.ip, frontEnd: 'web' });
    if (!result.ok) return sendPage(reply.code(401), form(reply.generateCsrf(), refusal(result), user));
    const login = web.logins.open(request.ip);
    return reply.setCookie(SESSION_COOKIE, login.token, cookieOpts).redirect('/');
  });

  app.post('/logout', (request, reply) => {
    if (request.login) web.logins.close(request.login);
    return reply.clearCookie(SESSION_COOKIE, cookieOpts).redirect('/login');
  });
}
