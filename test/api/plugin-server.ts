import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { type FastifyPluginAsync, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Appliance } from '../../src/engine/appliance.js';
import { loginGuardOf } from '../../src/engine/login-guard.js';
import { ensureLabPki } from '../../src/engine/tls.js';
import type { ApiPluginOptions } from '../../src/api/xml-status.js';
import { stopAfterFile } from '../helpers/cleanup.js';

const UNAUTHORIZED = { error: { message: 'Unauthorized.', code: '401', explanation: '401 = No permission -- see authorization schemes.' } };

/**
 * A real preHandler in the place of the API server's: HTTP Basic checked against the admin
 * account through the appliance's login guard (the one SSH and the web use), AsyncOS's 401
 * envelope otherwise.
 */
export function basicAuthenticate(appliance: Appliance) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    const m = /^Basic\s+(\S+)$/i.exec(request.headers.authorization ?? '');
    const decoded = m ? Buffer.from(m[1]!, 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    if (colon > 0) {
      const result = await loginGuardOf(appliance).check({ user: decoded.slice(0, colon), password: decoded.slice(colon + 1), from: request.ip, frontEnd: 'api' });
      if (result.ok) return;
    }
    return reply.code(401).header('WWW-Authenticate', 'Basic realm="AsyncOS API"').send(UNAUTHORIZED);
  };
}

/** A fastify HTTPS server on 127.0.0.1:0 (the lab CA's certificate, as the API's) serving the given plugins; stopped when the file ends. */
export async function servePlugins(appliance: Appliance, plugins: FastifyPluginAsync<ApiPluginOptions>[]): Promise<{ url: string; ca: string; caFile: string }> {
  const pki = ensureLabPki(appliance.paths.tls, ['localhost', 'exchange.lab']);
  const app = Fastify({ https: { key: pki.key, cert: pki.cert, minVersion: 'TLSv1.2' }, logger: false });
  for (const plugin of plugins) await app.register(plugin, { appliance, authenticate: basicAuthenticate(appliance) });
  await app.listen({ port: 0, host: '127.0.0.1' });
  stopAfterFile(async () => {
    await app.close();
    // the authentication log's buffered lines, written before the home is removed
    loginGuardOf(appliance).log.flush();
  });
  const port = (app.server.address() as { port: number }).port;
  const caFile = join(appliance.paths.tls, 'lab-ca.pem');
  return { url: `https://localhost:${port}`, ca: readFileSync(caFile, 'utf8'), caFile };
}
