import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, fetch, type Response } from 'undici';
import { setAdminPassword } from '../../src/engine/admin-account.js';
import { Appliance } from '../../src/engine/appliance.js';
import { startAppliance, type RunningAppliance } from '../../src/cli/run-appliance.js';
import { commandRegistry } from '../../src/commands/registry.js';
import { labHome } from './scripted.js';
import { TEST_PASSWORD } from './web.js';
import type { ApplianceConfig } from '../../src/engine/config/model.js';

export { TEST_PASSWORD };

/** Node's fetch (undici) trusting only the home's lab CA. */
export interface ApiClient {
  /** `https://127.0.0.1:<port>` */
  origin: string;
  ca: string;
  get(path: string, headers?: Record<string, string>): Promise<Response>;
  post(path: string, body: string, headers?: Record<string, string>): Promise<Response>;
  /** a token of a login as admin */
  login(password?: string): Promise<string>;
  close(): Promise<void>;
}

export const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
export const basic = (user: string, password: string) => `Basic ${b64(`${user}:${password}`)}`;

export function apiClient(origin: string, ca: string): ApiClient {
  const dispatcher = new Agent({ connect: { ca }, connections: 400 });
  const send = (method: string, path: string, body?: string, headers: Record<string, string> = {}) =>
    fetch(new URL(path, origin), { method, body, headers: body !== undefined ? { 'content-type': 'application/json', ...headers } : headers, dispatcher });
  return {
    origin,
    ca,
    get: (path, headers) => send('GET', path, undefined, headers),
    post: (path, body, headers) => send('POST', path, body, headers),
    async login(password = TEST_PASSWORD) {
      const res = await send('POST', '/esa/api/v2.0/login', JSON.stringify({ data: { userName: b64('admin'), passphrase: b64(password) } }));
      if (res.status !== 200) throw new Error(`login answered ${res.status}: ${await res.text()}`);
      return ((await res.json()) as { data: { jwtToken: string } }).data.jwtToken;
    },
    close: () => dispatcher.close(),
  };
}

/** A running appliance on a temp home (free ports), its admin password set, and a client of its API. */
export async function apiAppliance(
  edit: (c: ApplianceConfig) => void = () => undefined,
): Promise<{ appliance: Appliance; running: RunningAppliance; client: ApiClient; ca: string; origin: string; stop(): Promise<void> }> {
  const appliance = new Appliance({ home: labHome(edit) });
  await setAdminPassword(appliance.paths, TEST_PASSWORD);
  const running = await startAppliance(appliance, commandRegistry());
  if (!running.api) {
    await running.stop();
    throw new Error(`the AsyncOS API did not start:\n${running.describe()}`);
  }
  const ca = readFileSync(join(appliance.paths.tls, 'lab-ca.pem'), 'utf8');
  const origin = new URL(running.api.url).origin;
  const client = apiClient(origin, ca);
  return {
    appliance,
    running,
    client,
    ca,
    origin,
    async stop() {
      await client.close();
      await running.stop();
    },
  };
}
