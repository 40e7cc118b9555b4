import fastifySwagger from '@fastify/swagger';
import type { Server as TlsServer } from 'node:tls';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Appliance } from '../engine/appliance.js';
import { GATED_SERVER_OPTIONS, gateHandshakes } from '../engine/handshake-gate.js';
import { ensureLabPki } from '../engine/tls.js';
import { UserError } from '../errors.js';
import { ApiLogins, authenticator, type ApiPluginOptions } from './auth.js';
import { ApiError, rawErrorResponse, sendError } from './envelope.js';
import { registerHealth } from './health.js';
import { API_BASE, registerLogin } from './login.js';
import { reportingPlugin } from './reporting.js';
import { registerTracking } from './tracking.js';
import { xmlStatusPlugin } from './xml-status.js';

export interface ApiOptions {
  /** 0 picks a free port (tests) */
  port: number;
  /** how long a login's token lasts (ms): the session timeout */
  timeoutMs?: number;
}

/** The AsyncOS API, running. */
export interface ApiServer {
  port: number;
  /** `https://127.0.0.1:<port>/esa/api/v2.0/` */
  url: string;
  logins: ApiLogins;
  stop(): Promise<void>;
}

/** A route plugin of the API (`(app, { appliance, authenticate })`), registered by the server. */
export type ApiPlugin = (app: FastifyInstance, options: ApiPluginOptions) => Promise<void> | void;

/** Where the OpenAPI description of what segsim serves is. */
export const OPENAPI_PATH = `${API_BASE}/openapi.json`;

/** Bodies are small JSON documents (a login). */
const BODY_LIMIT = 64 * 1024;

/**
 * Serves the AsyncOS API (`/esa/api/v2.0`) and `/xml/status` over HTTPS on 127.0.0.1 with the lab
 * CA's server certificate: login and tokens, health, message tracking, reports, the status page,
 * and the route plugins given (each registered with the appliance and `authenticate`). Every error
 * is AsyncOS's envelope.
 */
export async function startApi(appliance: Appliance, options: ApiOptions, plugins: readonly ApiPlugin[] = []): Promise<ApiServer> {
  const pki = ensureLabPki(appliance.paths.tls, ['localhost', 'exchange.lab']);
  const app = Fastify({
    https: { key: pki.key, cert: pki.cert, minVersion: 'TLSv1.2', ...GATED_SERVER_OPTIONS },
    logger: false,
    bodyLimit: BODY_LIMIT,
    // a client that opens a request and never ends it does not hold a socket for ever
    requestTimeout: 30_000,
    return503OnClosing: true,
    // what Node's HTTP parser refuses is answered in the envelope too, never a bare reset
    clientErrorHandler(error: Error & { code?: string }, socket) {
      if (error.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
      const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
      const message =
        status === 431 ? 'The request line and headers are larger than 16 KB.' : status === 408 ? 'The request took longer than 30 seconds to arrive.' : 'The request is not HTTP the API can read.';
      socket.end(rawErrorResponse(status, message));
    },
  });
  // a burst of scripts must not hold up mail: handshakes a few at a time
  gateHandshakes(app.server as unknown as TlsServer);
  const logins = new ApiLogins(appliance, options.timeoutMs);
  const authenticate = authenticator(appliance, logins);
  app.decorateRequest('apiCaller', null);

  // AsyncOS reads a body as JSON whatever its content type says (curl -d sends a form type)
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (error) {
      done(new ApiError(`The request body is not valid JSON (${(error as Error).message}).`), undefined);
    }
  });

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, _request, reply) => {
    if (error instanceof ApiError) return sendError(reply, error.status, error.message);
    if (error instanceof UserError) return sendError(reply, 400, error.message);
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return sendError(reply, 413, `The request body is larger than ${BODY_LIMIT / 1024} KB.`);
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    return sendError(reply, status, status === 500 ? `Internal Server Error: ${error.message}` : error.message);
  });
  app.setNotFoundHandler((request, reply) => sendError(reply, 404, `Not Found: ${request.method} ${request.url.split('?')[0]}.`));

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'segsim AsyncOS API',
        description:
          'What segsim serves of the AsyncOS API of the Cisco Secure Email Gateway (AsyncOS 15.5): log in with POST /esa/api/v2.0/login, then send the token in a jwtToken header; HTTP Basic works too.',
        version: '2.0',
      },
      components: {
        securitySchemes: {
          UserSecurity: { type: 'apiKey', in: 'header', name: 'jwtToken' },
          BearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          BasicAuth: { type: 'http', scheme: 'basic' },
        },
      },
      security: [{ UserSecurity: [] }, { BearerAuth: [] }, { BasicAuth: [] }],
    },
  });
  app.get(OPENAPI_PATH, { schema: { hide: true } }, () => app.swagger());

  const pluginOptions: ApiPluginOptions = { appliance, authenticate };
  registerLogin(app, pluginOptions, logins);
  registerHealth(app, pluginOptions);
  registerTracking(app, pluginOptions);
  // /xml/status and the reports (src/api/xml-status.ts, src/api/reporting.ts), then any others given
  for (const plugin of [xmlStatusPlugin, reportingPlugin, ...plugins]) await app.register(plugin, pluginOptions);

  await app.listen({ host: '127.0.0.1', port: options.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    port,
    url: `https://127.0.0.1:${port}${API_BASE}/`,
    logins,
    async stop() {
      logins.closeAll();
      await app.close();
    },
  };
}
