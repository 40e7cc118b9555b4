import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { connect } from 'node:tls';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startApi } from '../../src/api/server.js';
import { interfaceconfigCommand } from '../../src/commands/interfaceconfig.js';
import { whoCommand } from '../../src/commands/who.js';
import { freePort } from '../helpers/peers.js';
import { consoleSession, runScripted } from '../helpers/scripted.js';
import { apiAppliance, apiClient, b64, basic, TEST_PASSWORD } from '../helpers/api.js';

const run = promisify(execFile);
const LOGIN = '/esa/api/v2.0/login';
const loginBody = (user: string, password: string) => JSON.stringify({ data: { userName: b64(user), passphrase: b64(password) } });
const UNAUTHORIZED_EXPLANATION = '401 = No permission -- see authorization schemes.';

describe('AsyncOS API: the server, login, tokens and Basic', () => {
  let lab: Awaited<ReturnType<typeof apiAppliance>>;
  beforeAll(async () => {
    lab = await apiAppliance();
  });
  const authLog = () => readFileSync(join(lab.appliance.paths.logs, 'authentication', 'authentication.current'), 'utf8');
  afterAll(async () => {
    await lab.stop();
    rmSync(lab.appliance.paths.root, { recursive: true, force: true });
  });

  it('listens on 127.0.0.1 over HTTPS with the lab CA certificate, and the banner says where', async () => {
    expect(lab.running.api!.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/esa\/api\/v2\.0\/$/);
    expect(lab.running.describe()).toContain(`  AsyncOS API ${lab.running.api!.url} (user admin)`);
    // curl with the lab CA: the certificate is trusted, the answer is AsyncOS's envelope
    const { stdout } = await run('curl', ['-sS', '--cacert', join(lab.appliance.paths.tls, 'lab-ca.pem'), `${lab.origin}/esa/api/v2.0/health`]);
    expect(JSON.parse(stdout)).toEqual({ error: { message: 'Unauthorized.', code: '401', explanation: UNAUTHORIZED_EXPLANATION } });
  });

  it('logs in with base64 userName and passphrase: the XSOAR fixture’s fields, a token in jwtToken that works, a session in who', async () => {
    const res = await lab.client.post(LOGIN, loginBody('admin', TEST_PASSWORD));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: Record<string, unknown> };
    expect(Object.keys(body.data)).toEqual(['userName', 'is2FactorRedirectRequired', 'role', 'email', 'jwtToken']);
    expect(body.data).toMatchObject({ userName: 'admin', is2FactorRedirectRequired: 'false', role: 'Administrator', email: [] });
    const token = body.data.jwtToken as string;
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const health = await lab.client.get('/esa/api/v2.0/health', { jwtToken: token });
    expect(health.status).toBe(200);
    const data = ((await health.json()) as { data: Record<string, number> }).data;
    expect(Object.keys(data)).toEqual(expect.arrayContaining(['percentage_ram_utilization', 'percentage_diskio', 'resource_conservation']));
    expect(data.percentage_ram_utilization).toBeGreaterThan(0);
    expect((await lab.client.get('/esa/api/v2.0/login/privileges', { authorization: `Bearer ${token}` })).status).toBe(200);
    const who = await runScripted(whoCommand, [], { appliance: lab.appliance, interactive: false });
    expect(who.transcript).toMatch(/^admin +Administrator .* 127\.0\.0\.1 +API\r?$/m);
    await expect.poll(() => authLog()).toContain('The user admin successfully logged on from 127.0.0.1 with privilege admin using an HTTPS connection.');
  });

  it('takes HTTP Basic on any call (curl -u), each checked by the login guard', async () => {
    const ok = await lab.client.get('/esa/api/v2.0/health', { authorization: basic('admin', TEST_PASSWORD) });
    expect(ok.status).toBe(200);
    const { stdout } = await run('curl', ['-sS', '--cacert', join(lab.appliance.paths.tls, 'lab-ca.pem'), '-u', `admin:${TEST_PASSWORD}`, `${lab.origin}/esa/api/v2.0/login/privileges`]);
    expect(JSON.parse(stdout)).toMatchObject({ data: { userName: 'admin', role: 'Administrator' } });
    const wrong = await lab.client.get('/esa/api/v2.0/health', { authorization: basic('admin', 'not-the-password') });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Basic/);
    expect(await wrong.json()).toEqual({ error: { message: 'Unauthorized: the user name or passphrase is not correct.', code: '401', explanation: UNAUTHORIZED_EXPLANATION } });
    await expect.poll(() => authLog()).toContain('An authentication attempt by the user admin from 127.0.0.1 failed using an HTTPS connection.');
  });

  it('answers a wrong password, a wrong token, a forged or tampered token 401 in the envelope', async () => {
    const refused = await lab.client.post(LOGIN, loginBody('admin', 'wrong-passphrase'));
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('401');
    const token = await lab.client.login();
    const [h, p, s] = token.split('.');
    const forgedClaims = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), expMs: Date.now() + 1e9 })).toString('base64url');
    for (const bad of ['nonsense', `${h}.${forgedClaims}.${s}`, `${h}.${p}.${s!.slice(0, -2)}AA`, `${token}x`]) {
      const res = await lab.client.get('/esa/api/v2.0/health', { jwtToken: bad });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: { message: 'Unauthorized: the token is not one this appliance issued.', code: '401', explanation: UNAUTHORIZED_EXPLANATION } });
    }
    const other = await lab.client.get('/esa/api/v2.0/health', { authorization: 'Digest realm=x' });
    expect(other.status).toBe(401);
  });

  it('answers malformed JSON, a body that is not a login, and bad base64 400 in the envelope; an unknown path 404', async () => {
    const cases: [string, RegExp][] = [
      ['{"data":', /^The request body is not valid JSON/],
      ['[]', /^The request body must be \{"data"/],
      ['{"data":{"userName":"YWRtaW4="}}', /^data\.passphrase is required/],
      ['{"data":{"userName":"not base64!","passphrase":"eA=="}}', /^data\.userName is not base64\./],
      ['', /^The request body must be/],
    ];
    for (const [body, message] of cases) {
      const res = await lab.client.post(LOGIN, body);
      expect(res.status, body).toBe(400);
      const { error } = (await res.json()) as { error: { message: string; code: string; explanation: string } };
      expect(error.message).toMatch(message);
      expect(error).toMatchObject({ code: '400', explanation: '400 = Bad request syntax or unsupported method.' });
    }
    // curl -d without a content type: read as JSON all the same
    const { stdout } = await run('curl', ['-sS', '--cacert', join(lab.appliance.paths.tls, 'lab-ca.pem'), '-d', loginBody('admin', TEST_PASSWORD), `${lab.origin}${LOGIN}`]);
    expect(JSON.parse(stdout)).toMatchObject({ data: { userName: 'admin', role: 'Administrator' } });
    const missing = await lab.client.get('/esa/api/v2.0/no-such-thing', { authorization: basic('admin', TEST_PASSWORD) });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: { message: 'Not Found: GET /esa/api/v2.0/no-such-thing.', code: '404', explanation: '404 = Nothing matches the given URI.' } });
    const huge = await lab.client.post(LOGIN, JSON.stringify({ data: { userName: 'x'.repeat(100_000), passphrase: 'eA==' } }));
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as { error: { code: string } }).error.code).toBe('413');
  });

  it('serves /xml/status and the reports behind the same authentication (Basic or a token)', async () => {
    const token = await lab.client.login();
    const page = await lab.client.get('/xml/status', { authorization: basic('admin', TEST_PASSWORD) });
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<status build="[^"]+" hostname="esa1\.example\.com" timestamp="\d{14}">/);
    expect((await lab.client.get('/xml/status', { jwtToken: token })).status).toBe(200);
    const refused = await lab.client.get('/xml/status');
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('401');
    const hour = new Date(Math.floor(Date.now() / 3600_000) * 3600_000);
    const range = `startDate=${new Date(hour.getTime() - 3600_000).toISOString()}&endDate=${new Date(hour.getTime() + 3600_000).toISOString()}`;
    const report = await lab.client.get(`/esa/api/v2.0/reporting/mail_incoming_traffic_summary?device_type=esa&${range}`, { jwtToken: token });
    expect(report.status).toBe(200);
    expect(((await report.json()) as { data: { type: string } }).data.type).toBe('mail_incoming_traffic_summary');
    expect((await lab.client.get(`/esa/api/v2.0/reporting/mail_incoming_traffic_summary?device_type=esa&${range}`)).status).toBe(401);
  });

  it('answers what Node’s HTTP parser refuses (a 20 KB URL, bytes that are not HTTP) in the envelope too', async () => {
    const huge = await lab.client.get(`/esa/api/v2.0/message-tracking/messages?subjectfilterValue=${'x'.repeat(20_000)}`, { jwtToken: 'x' });
    expect(huge.status).toBe(431);
    expect(((await huge.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: '431', message: 'The request line and headers are larger than 16 KB.' });
    const socket = connect({ host: '127.0.0.1', port: Number(new URL(lab.origin).port), ca: lab.ca, servername: 'localhost' });
    await once(socket, 'secureConnect');
    socket.write('\x00\x01 this is not HTTP\r\n\r\n');
    let answer = '';
    socket.on('data', (d: Buffer) => (answer += d.toString('utf8')));
    await once(socket, 'end');
    socket.destroy();
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toEqual({
      error: { message: 'The request is not HTTP the API can read.', code: '400', explanation: '400 = Bad request syntax or unsupported method.' },
    });
    expect((await lab.client.get('/esa/api/v2.0/health', { authorization: basic('admin', TEST_PASSWORD) })).status).toBe(200);
  });

  it('describes what it serves in OpenAPI', async () => {
    const res = await lab.client.get('/esa/api/v2.0/openapi.json');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown>; components: { securitySchemes: Record<string, unknown> } };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/esa/api/v2.0/login',
        '/esa/api/v2.0/health',
        '/esa/api/v2.0/login/privileges',
        '/esa/api/v2.0/message-tracking/messages',
        '/esa/api/v2.0/message-tracking/details',
        '/esa/api/v2.0/reporting/{report}',
        '/xml/status',
      ]),
    );
    expect(doc.components.securitySchemes.UserSecurity).toEqual({ type: 'apiKey', in: 'header', name: 'jwtToken' });
  });
});

describe('AsyncOS API: its port is set by interfaceconfig', () => {
  it('lists the API port; a committed --api-port moves the API (its logins end), a port in use is refused at commit', async () => {
    const lab = await apiAppliance();
    try {
      const shown = await runScripted(interfaceconfigCommand, [], { appliance: lab.appliance, interactive: false });
      expect(shown.transcript).toMatch(/AsyncOS API HTTPS: port 0 \(any free port\): the AsyncOS API \(\/esa\/api\/v2\.0\/\)/);
      const token = await lab.client.login();
      const port = await freePort();
      await runScripted(interfaceconfigCommand, [], { appliance: lab.appliance, flags: { apiPort: String(port) } });
      await consoleSession(lab.appliance).config.commit('move the API');
      await expect.poll(() => lab.running.api?.url).toBe(`https://127.0.0.1:${port}/esa/api/v2.0/`);
      const moved = apiClient(`https://127.0.0.1:${port}`, lab.ca);
      try {
        expect((await moved.get('/esa/api/v2.0/health', { jwtToken: token })).status).toBe(401);
        expect((await moved.get('/esa/api/v2.0/health', { authorization: basic('admin', TEST_PASSWORD) })).status).toBe(200);
        expect(lab.appliance.sessions.list().filter((s) => s.kind === 'api')).toEqual([]);
        // the web interface's port: taken, so the API cannot move there
        const held = new URL(lab.running.web!.url).port;
        await runScripted(interfaceconfigCommand, [], { appliance: lab.appliance, flags: { apiPort: held } });
        await expect(consoleSession(lab.appliance).config.commit('taken')).rejects.toThrow(new RegExp(`The AsyncOS API cannot listen on 127\\.0\\.0\\.1:${held} \\(EADDRINUSE\\)`));
        expect(lab.appliance.configuration.current.lab.apiPort).toBe(port);
      } finally {
        await moved.close();
      }
    } finally {
      await lab.stop();
      rmSync(lab.appliance.paths.root, { recursive: true, force: true });
    }
  });
});

describe('AsyncOS API: a port taken at start', () => {
  it('is said in the banner, and the rest of the appliance runs without the API', async () => {
    const holder = createServer().listen(0, '127.0.0.1');
    await once(holder, 'listening');
    const held = (holder.address() as AddressInfo).port;
    const { Appliance } = await import('../../src/engine/appliance.js');
    const { startAppliance } = await import('../../src/cli/run-appliance.js');
    const { commandRegistry } = await import('../../src/commands/registry.js');
    const { labHome } = await import('../helpers/scripted.js');
    const appliance = new Appliance({ home: labHome((c) => void (c.lab.apiPort = held)) });
    try {
      const running = await startAppliance(appliance, commandRegistry());
      try {
        expect(running.api).toBeNull();
        expect(running.web).not.toBeNull();
        expect(running.describe()).toContain(`  AsyncOS API: not running (https://127.0.0.1:${held}/esa/api/v2.0/): The AsyncOS API cannot listen on 127.0.0.1:${held} (EADDRINUSE).`);
      } finally {
        await running.stop();
      }
    } finally {
      holder.close();
      rmSync(appliance.paths.root, { recursive: true, force: true });
    }
  });
});

describe('AsyncOS API: a token lasts the session timeout', () => {
  it('is refreshed in a jwtToken response header near its end, and refused (its session closed) after it', async () => {
    const { Appliance } = await import('../../src/engine/appliance.js');
    const { setAdminPassword } = await import('../../src/engine/admin-account.js');
    const { labHome } = await import('../helpers/scripted.js');
    const appliance = new Appliance({ home: labHome() });
    await setAdminPassword(appliance.paths, TEST_PASSWORD);
    const api = await startApi(appliance, { port: 0, timeoutMs: 3000 });
    const client = apiClient(new URL(api.url).origin, readFileSync(join(appliance.paths.tls, 'lab-ca.pem'), 'utf8'));
    try {
      const token = await client.login();
      expect(appliance.sessions.list().map((s) => s.kind)).toEqual(['api']);
      const early = await client.get('/esa/api/v2.0/login/privileges', { jwtToken: token });
      expect(early.headers.get('jwttoken')).toBeNull();
      await new Promise((r) => setTimeout(r, 2600));
      const late = await client.get('/esa/api/v2.0/login/privileges', { jwtToken: token });
      expect(late.status).toBe(200);
      const fresh = late.headers.get('jwttoken');
      expect(fresh).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
      await new Promise((r) => setTimeout(r, 600));
      const expired = await client.get('/esa/api/v2.0/login/privileges', { jwtToken: token });
      expect(expired.status).toBe(401);
      expect(((await expired.json()) as { error: { message: string } }).error.message).toBe('Unauthorized: the token has expired; log in again.');
      expect((await client.get('/esa/api/v2.0/login/privileges', { jwtToken: fresh! })).status).toBe(200);
      await new Promise((r) => setTimeout(r, 3200));
      expect((await client.get('/esa/api/v2.0/login/privileges', { jwtToken: fresh! })).status).toBe(401);
      expect(appliance.sessions.list()).toEqual([]);
    } finally {
      await client.close();
      await api.stop();
      rmSync(appliance.paths.root, { recursive: true, force: true });
    }
  });
});
