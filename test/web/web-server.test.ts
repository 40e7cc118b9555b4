import { rmSync } from 'node:fs';
import { TEST_PASSWORD, WebClient, webAppliance } from '../helpers/web.js';

describe('web interface: login, sessions, CSRF', () => {
  let lab: Awaited<ReturnType<typeof webAppliance>>;
  beforeEach(async () => {
    lab = await webAppliance();
  });
  afterEach(async () => {
    await lab.stop();
    rmSync(lab.appliance.paths.root, { recursive: true, force: true });
  });

  it('serves the login page over HTTPS with the lab CA certificate, on 127.0.0.1', async () => {
    expect(lab.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await lab.client().get('/login');
    expect(page.status).toBe(200);
    expect(page.body).toContain('Cisco Secure Email Gateway');
    expect(page.body).toMatch(/name="_csrf" value="[^"]+"/);
    expect(lab.running.describe()).toContain(`web interface ${lab.url}`);
  });

  it('sends a browser without a login to the login page', async () => {
    const res = await lab.client().get('/mail-policies/incoming');
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/login');
  });

  it('logs in with the admin password: an HttpOnly, SameSite session cookie and a web session in who', async () => {
    const client = lab.client();
    const before = lab.appliance.sessions.list().length;
    const wrong = await client.login('not-the-password');
    expect(wrong.status).toBe(401);
    expect(wrong.body).toContain('Authentication failed');
    const res = await client.login();
    expect(res.status).toBe(302);
    const cookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('segsim_session='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Secure/);
    const web = lab.appliance.sessions.list().filter((s) => s.kind === 'web');
    expect(lab.appliance.sessions.list()).toHaveLength(before + 1);
    expect(web[0]).toMatchObject({ user: 'admin', from: '127.0.0.1' });
    const out = await client.post('/logout', { _csrf: WebClient.token((await client.get('/security-services/threat-defense-connector')).body) });
    expect(out.headers.location).toBe('/login');
    expect(lab.appliance.sessions.list().filter((s) => s.kind === 'web')).toHaveLength(0);
  });

  it('refuses a form post without its CSRF token, and changes nothing', async () => {
    const client = lab.client();
    const page = await client.get('/login');
    const refused = await client.post('/login', { username: 'admin', password: TEST_PASSWORD });
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('security token is missing');
    expect(lab.appliance.sessions.list().filter((s) => s.kind === 'web')).toHaveLength(0);
    const forged = await client.post('/login', { _csrf: `${WebClient.token(page.body)}x`, username: 'admin', password: TEST_PASSWORD });
    expect(forged.status).toBe(403);
  });
});
