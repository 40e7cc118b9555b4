import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { setAdminPassword } from '../../src/engine/admin-account.js';
import { Appliance } from '../../src/engine/appliance.js';
import { startAppliance, type RunningAppliance } from '../../src/cli/run-appliance.js';
import { commandRegistry } from '../../src/commands/registry.js';
import { labHome } from './scripted.js';

export const TEST_PASSWORD = 'lab-passw0rd';

export interface WebResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * A small HTTPS client that trusts only the home's lab CA and keeps cookies, as a browser would:
 * for the tests of what a browser cannot be made to do (a post without its token).
 */
export class WebClient {
  readonly cookies = new Map<string, string>();
  constructor(
    readonly base: string,
    private readonly ca: string,
  ) {}

  get(path: string): Promise<WebResponse> {
    return this.send('GET', path);
  }

  post(path: string, form: Record<string, string>): Promise<WebResponse> {
    return this.send('POST', path, new URLSearchParams(form).toString());
  }

  /** The CSRF token of the first form of a page. */
  static token(body: string): string {
    const m = /name="_csrf" value="([^"]+)"/.exec(body);
    if (!m) throw new Error('no CSRF token on the page');
    return m[1]!;
  }

  async login(password = TEST_PASSWORD): Promise<WebResponse> {
    const page = await this.get('/login');
    return this.post('/login', { _csrf: WebClient.token(page.body), username: 'admin', password });
  }

  send(method: string, path: string, body?: string): Promise<WebResponse> {
    const url = new URL(path, this.base);
    const headers: Record<string, string> = { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
    if (body !== undefined) Object.assign(headers, { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(body)) });
    return new Promise((resolve, reject) => {
      const req = request(url, { method, headers, ca: this.ca }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          for (const c of res.headers['set-cookie'] ?? []) {
            const [pair] = c.split(';');
            const [k, v] = pair!.split('=');
            if (/Expires=Thu, 01 Jan 1970/i.test(c) || v === '') this.cookies.delete(k!);
            else this.cookies.set(k!, v!);
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  }
}

/** A running appliance on a temp home (free ports), its admin password set, and a client for its web interface. */
export async function webAppliance(): Promise<{ appliance: Appliance; running: RunningAppliance; client: () => WebClient; ca: string; url: string; stop(): Promise<void> }> {
  const home = labHome();
  const appliance = new Appliance({ home });
  await setAdminPassword(appliance.paths, TEST_PASSWORD);
  const running = await startAppliance(appliance, commandRegistry());
  if (!running.web) {
    await running.stop();
    throw new Error(`the web interface did not start:\n${running.describe()}`);
  }
  const ca = readFileSync(join(appliance.paths.tls, 'lab-ca.pem'), 'utf8');
  const url = running.web.url;
  return { appliance, running, ca, url, client: () => new WebClient(url, ca), stop: () => running.stop() };
}
