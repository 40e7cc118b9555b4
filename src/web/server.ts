import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Server as TlsServer } from 'node:tls';
import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyFormbody from '@fastify/formbody';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import type { Appliance } from '../engine/appliance.js';
import { GATED_SERVER_OPTIONS, gateHandshakes } from '../engine/handshake-gate.js';
import { guiRequestLine } from '../engine/logs/system-lines.js';
import { ensureLabPki } from '../engine/tls.js';
import { UserError } from '../errors.js';
import { html, type Html } from './html.js';
import { document, gatewayLayout } from './layout.js';
import { sendPage, SESSION_COOKIE, type WebContext } from './context.js';
import { WebLogins } from './logins.js';
import { MENUS_SCRIPT, MENUS_SCRIPT_PATH } from './menus.js';
import { clusterBanner } from './cluster-banner.js';
import { registerClusterMode } from './pages/cluster-mode.js';
import { registerCommit } from './pages/commit.js';
import { registerDeliveryStatus } from './pages/delivery-status.js';
import { registerLoginRoutes } from './pages/login.js';
import { registerMessageTracking } from './pages/message-tracking.js';
import { registerMailPolicies } from './pages/mail-policies.js';
import { registerTdcSettings } from './pages/tdc-settings.js';
import { registerSetdPages } from './setd-portal/pages.js';
import { registerSetdWizard } from './setd-portal/wizard.js';
import { STYLESHEET } from './styles.js';

export interface WebOptions {
  /** 0 picks a free port (tests) */
  port: number;
  /** inactivity timeout of a login (ms) */
  idleMs?: number;
}

/** The gateway's web interface, running. */
export interface WebInterface {
  port: number;
  url: string;
  logins: WebLogins;
  stop(): Promise<void>;
}

const PUBLIC = new Set(['/login', '/static/segsim.css', '/static/htmx.min.js', MENUS_SCRIPT_PATH]);

/**
 * Serves the gateway's web interface and the SETD portal over HTTPS on 127.0.0.1 with the lab CA's
 * server certificate. Every request that changes something is a POST carrying a CSRF token
 * (double submit: a signed secret cookie and a token in the form); the gateway's pages need a login.
 */
export async function startWebInterface(appliance: Appliance, options: WebOptions): Promise<WebInterface> {
  const pki = ensureLabPki(appliance.paths.tls, ['localhost', 'exchange.lab']);
  const app = Fastify({ https: { key: pki.key, cert: pki.cert, minVersion: 'TLSv1.2', ...GATED_SERVER_OPTIONS }, logger: false, bodyLimit: 256 * 1024 });
  // a burst of logins must not hold up mail: handshakes a few at a time
  gateHandshakes(app.server as unknown as TlsServer);
  const logins = new WebLogins(appliance, options.idleMs);
  const cookieOpts = { path: '/', httpOnly: true, sameSite: 'strict' as const, secure: true };
  await app.register(fastifyCookie, { secret: randomBytes(32).toString('hex') });
  await app.register(fastifyFormbody);
  await app.register(fastifyCsrf, { sessionPlugin: '@fastify/cookie', cookieOpts: { ...cookieOpts, signed: true } });

  app.decorateRequest('login', null);
  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0]!;
    if (PUBLIC.has(path) || path === '/setd' || path.startsWith('/setd/')) return;
    // htmx's requests are the live tables refreshing themselves, not the person at the browser
    request.login = logins.use(request.cookies[SESSION_COOKIE], !request.headers['hx-request']);
    if (!request.login) {
      if (request.headers['hx-request']) return reply.code(401).header('HX-Redirect', '/login?expired=1').send('');
      return reply.redirect(request.cookies[SESSION_COOKIE] ? '/login?expired=1' : '/login');
    }
  });
  // each request of the gateway's pages in gui_logs (the SETD portal is another product): the path
  // only, never a query, a form field, the password or the CSRF token
  const guiLog = appliance.logs.channel('gui_logs');
  app.addHook('onResponse', async (request, reply) => {
    if (request.url === '/setd' || request.url.startsWith('/setd/') || request.url.startsWith('/setd?')) return;
    const login = request.login;
    guiLog.info(
      guiRequestLine({
        from: request.ip,
        user: login?.session.user ?? null,
        session: login?.name ?? null,
        status: reply.statusCode,
        method: request.method,
        path: request.url,
        protocol: `HTTP/${request.raw.httpVersion}`,
        userAgent: request.headers['user-agent'],
      }),
    );
  });
  // every form post carries the token; a post without it changes nothing
  app.addHook('preHandler', (request, reply, done) => (request.method === 'POST' ? app.csrfProtection(request, reply, done) : done()));

  const requireFrom = createRequire(import.meta.url);
  const htmx = readFileSync(requireFrom.resolve('htmx.org/dist/htmx.min.js'), 'utf8');
  app.get('/static/htmx.min.js', (_, reply) => reply.type('text/javascript; charset=utf-8').header('Cache-Control', 'max-age=3600').send(htmx));
  app.get(MENUS_SCRIPT_PATH, (_, reply) => reply.type('text/javascript; charset=utf-8').header('Cache-Control', 'max-age=3600').send(MENUS_SCRIPT));
  app.get('/static/segsim.css', (_, reply) => reply.type('text/css; charset=utf-8').header('Cache-Control', 'max-age=3600').send(STYLESHEET));

  const context: WebContext = {
    appliance,
    logins,
    csrf: (reply) => reply.generateCsrf(),
    page(request, reply, page) {
      const session = request.login!.session;
      const csrf = reply.generateCsrf();
      // Change Mode comes back to the page it was chosen on (a form's result page: home)
      const back = request.method === 'GET' ? request.url.split('?')[0]! : '/';
      const frame = { hostname: appliance.configuration.current.hostname, session, csrf, clusterBar: clusterBanner(appliance, session, csrf, back) };
      return sendPage(reply, gatewayLayout(frame, page));
    },
  };
  // a logged-in user's error page keeps the layout: menus, Commit Changes and Log Out
  const errorPage = (request: FastifyRequest, reply: FastifyReply, title: string, message: string) => {
    if (request.login) {
      try {
        return context.page(request, reply, { title, notice: { kind: 'error', text: message }, body: html`<p><a href="javascript:history.back()">Back</a> · <a href="/">Home</a></p>` });
      } catch {
        // the layout itself failed: the bare page still says what went wrong
      }
    }
    return sendPage(reply, errorDocument(title, message));
  };
  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    if (error.code?.startsWith('FST_CSRF')) {
      return errorPage(
        request,
        reply.code(403),
        'Request refused',
        'The form was refused: its security token is missing or out of date. Go back, reload the page and submit it again. Nothing was changed.',
      );
    }
    if (error instanceof UserError) return errorPage(request, reply.code(400), 'Error', error.message);
    const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 500;
    return errorPage(request, reply.code(status), 'Error', status === 500 ? `Internal error: ${error.message}` : error.message);
  });
  app.setNotFoundHandler((request, reply) => errorPage(request, reply.code(404), 'Not found', `There is no page ${request.url.split('?')[0]}.`));
  registerLoginRoutes(app, context, cookieOpts);
  registerTdcSettings(app, context);
  registerMailPolicies(app, context);
  registerCommit(app, context);
  registerClusterMode(app, context);
  registerDeliveryStatus(app, context);
  registerMessageTracking(app, context);
  registerSetdWizard(app, context);
  registerSetdPages(app, context);
  app.get('/', (_, reply) => reply.redirect('/monitor/delivery-status'));

  await app.listen({ host: '127.0.0.1', port: options.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    port,
    url: `https://127.0.0.1:${port}/`,
    logins,
    async stop() {
      logins.closeAll();
      await app.close();
    },
  };
}

function errorDocument(title: string, message: string): Html {
  return document(title, html`<main><h1>${title}</h1><div class="notice error">${message}</div><p><a href="javascript:history.back()">Back</a> · <a href="/">Home</a></p></main>`);
}
