import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Appliance } from '../engine/appliance.js';
import type { Html } from './html.js';
import type { GatewayPage } from './layout.js';
import type { Login, WebLogins } from './logins.js';

export const SESSION_COOKIE = 'segsim_session';

declare module 'fastify' {
  interface FastifyRequest {
    /** the browser's login, on the gateway's pages */
    login: Login | null;
  }
}

/** What every page module gets. */
export interface WebContext {
  appliance: Appliance;
  logins: WebLogins;
  /** renders a gateway page for the request's login, with a fresh CSRF token */
  page(request: FastifyRequest, reply: FastifyReply, page: GatewayPage): FastifyReply;
  /** a fresh CSRF token for a form */
  csrf(reply: FastifyReply): string;
}

/** Sends an HTML document; pages are never cached (they show live state and tokens). */
export function sendPage(reply: FastifyReply, body: Html): FastifyReply {
  return reply.type('text/html; charset=utf-8').header('Cache-Control', 'no-store').header('X-Frame-Options', 'DENY').send(body.text);
}
