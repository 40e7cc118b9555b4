import type { FastifyInstance } from 'fastify';
import { loginGuardOf } from '../engine/login-guard.js';
import { refusal, type ApiLogins, type ApiPluginOptions } from './auth.js';
import { ApiError, sendError } from './envelope.js';

export const API_BASE = '/esa/api/v2.0';

/** The role AsyncOS names the admin account's (the XSOAR login fixture's `role`). */
const ROLE = 'Administrator';

/** A base64 field of the login body, decoded; an ApiError naming the field when it is not one. */
function base64Field(data: Record<string, unknown>, name: 'userName' | 'passphrase'): string {
  const value = data[name];
  if (typeof value !== 'string' || value === '') throw new ApiError(`data.${name} is required: the ${name === 'userName' ? 'user name' : 'passphrase'} in base64.`);
  if (value.length > 1024 || value.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) throw new ApiError(`data.${name} is not base64.`);
  return Buffer.from(value, 'base64').toString('utf8');
}

const bodySchema = {
  type: 'object',
  description: 'The user name and passphrase, each in base64',
  properties: {
    data: { type: 'object', properties: { userName: { type: 'string', description: 'base64' }, passphrase: { type: 'string', description: 'base64' } }, required: ['userName', 'passphrase'] },
  },
  required: ['data'],
} as const;

/**
 * `POST /esa/api/v2.0/login` (the login guard decides, as for SSH and the web interface; a login
 * let in opens an appliance session of kind `api` and answers its token) and
 * `GET /esa/api/v2.0/login/privileges`.
 */
export function registerLogin(app: FastifyInstance, { appliance, authenticate }: ApiPluginOptions, logins: ApiLogins): void {
  app.post(
    `${API_BASE}/login`,
    {
      schema: {
        summary: 'Log in: a token (JWT) for the jwtToken header',
        tags: ['login'],
        security: [],
        body: bodySchema,
      },
      // the body is checked below, in AsyncOS's envelope: the schema documents it
      attachValidation: true,
    },
    async (request, reply) => {
      const body = request.body as { data?: unknown } | null | undefined;
      const data = body && typeof body === 'object' ? body.data : undefined;
      if (!data || typeof data !== 'object' || Array.isArray(data)) throw new ApiError('The request body must be {"data":{"userName":"<base64>","passphrase":"<base64>"}}.');
      const user = base64Field(data as Record<string, unknown>, 'userName');
      const password = base64Field(data as Record<string, unknown>, 'passphrase');
      const result = await loginGuardOf(appliance).check({ user, password, from: request.ip, frontEnd: 'api' });
      if (!result.ok) return sendError(reply, 401, refusal(result));
      const { token } = logins.open(result.user, request.ip);
      return { data: { userName: result.user, is2FactorRedirectRequired: 'false', role: ROLE, email: [], jwtToken: token } };
    },
  );

  app.get(`${API_BASE}/login/privileges`, { preHandler: authenticate, schema: { summary: 'The privileges of the caller', tags: ['login'] } }, async (request) => {
    const caller = request.apiCaller!;
    return { data: { userName: caller.user, role: ROLE, privileges: ['Administrator'] } };
  });
}
