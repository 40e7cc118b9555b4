import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { startAppliance } from '../../src/cli/run-appliance.js';
import { interfaceconfigCommand } from '../../src/commands/interfaceconfig.js';
import { commandRegistry } from '../../src/commands/registry.js';
import { Appliance } from '../../src/engine/appliance.js';
import { passwdCommand } from '../../src/commands/passwd.js';
import { policyconfigCommand } from '../../src/commands/policyconfig.js';
import { tdcconfigCommand } from '../../src/commands/tdcconfig.js';
import { WebLogins } from '../../src/web/logins.js';
import { freePort } from '../helpers/peers.js';
import { waitFor } from '../helpers/engine.js';
import { BIN, runBinary } from '../helpers/run-main.js';
import { consoleSession, labHome, runScripted } from '../helpers/scripted.js';
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

describe('web interface: its port, the admin password, idle logins', () => {
  let lab: Awaited<ReturnType<typeof webAppliance>>;
  beforeEach(async () => {
    lab = await webAppliance();
  });
  afterEach(async () => {
    await lab.stop();
    rmSync(lab.appliance.paths.root, { recursive: true, force: true });
  });

  it('interfaceconfig shows where it listens; a committed HTTPS port moves it, a port in use is refused at commit', async () => {
    const shown = await runScripted(interfaceconfigCommand, [], { appliance: lab.appliance, interactive: false });
    expect(shown.transcript).toContain(`Web interface: ${lab.url}`);
    const port = await freePort();
    await runScripted(interfaceconfigCommand, [], { appliance: lab.appliance, flags: { httpsPort: String(port) } });
    await consoleSession(lab.appliance).config.commit('move the web interface');
    await expect.poll(() => lab.appliance.web?.url).toBe(`https://127.0.0.1:${port}/`);
    expect((await new WebClient(`https://127.0.0.1:${port}/`, lab.ca).get('/login')).status).toBe(200);
    await expect(lab.client().get('/login')).rejects.toThrow(/ECONNREFUSED/);
    // a port something else holds: refused by name, nothing committed, the interface stays
    const holder = createServer().listen(0, '127.0.0.1');
    await once(holder, 'listening');
    try {
      const held = (holder.address() as AddressInfo).port;
      await runScripted(interfaceconfigCommand, [], { appliance: lab.appliance, flags: { httpsPort: String(held) } });
      await expect(consoleSession(lab.appliance).config.commit('taken')).rejects.toThrow(new RegExp(`web interface cannot listen on 127.0.0.1:${held} \\(EADDRINUSE\\)`));
      expect(lab.appliance.configuration.current.lab.webPort).toBe(port);
      consoleSession(lab.appliance).config.clear();
    } finally {
      holder.close();
    }
    await expect(runScripted(interfaceconfigCommand, [], { appliance: lab.appliance, flags: { httpsPort: '70000' } })).rejects.toThrow(/from 0 to 65535/);
  });

  it('a bad admin password file is set aside and said at start; a new password is made', async () => {
    await lab.stop();
    const file = join(lab.appliance.paths.root, 'admin-password.json');
    writeFileSync(file, '{"torn');
    const appliance = new Appliance({ home: lab.appliance.paths.root });
    const running = await startAppliance(appliance, commandRegistry());
    try {
      const banner = running.describe();
      expect(banner).toMatch(/admin password file .* is not valid; it was set aside as .*admin-password\.json\.bad-\d+/);
      const password = /password (\S+) \(shown once/.exec(banner)![1]!;
      expect(readdirSync(appliance.paths.root).filter((f) => f.startsWith('admin-password.json.bad-'))).toHaveLength(1);
      expect((await new WebClient(running.web!.url, lab.ca).login(password)).status).toBe(302);
    } finally {
      await running.stop();
      rmSync(appliance.paths.root, { recursive: true, force: true });
    }
    lab = await webAppliance(); // afterEach stops and removes this one
  });

  it('passwd sets the admin password (hashed in the home); a short one is refused', async () => {
    await expect(runScripted(passwdCommand, [], { appliance: lab.appliance, flags: { password: 'short' }, interactive: false })).rejects.toThrow(/at least 8 characters/);
    await runScripted(passwdCommand, ['new lab passphrase', 'new lab passphrase'], { appliance: lab.appliance });
    expect(readFileSync(join(lab.appliance.paths.root, 'admin-password.json'), 'utf8')).not.toContain('new lab passphrase');
    expect((await lab.client().login()).status).toBe(401);
    expect((await lab.client().login('new lab passphrase')).status).toBe(302);
  });

  it('a login idle longer than the timeout is closed: its session leaves who, its changes are dropped', () => {
    let now = 0;
    const logins = new WebLogins(lab.appliance, 1000, () => now);
    try {
      const login = logins.open('127.0.0.1');
      login.session.config.edit((c) => void (c.hostname = 'idle.example.com'));
      now = 900;
      expect(logins.use(login.token)).toBe(login);
      now = 1800;
      expect(logins.use(login.token, false)).toBe(login); // a live table refreshing itself
      now = 2500;
      expect(logins.use(login.token)).toBeNull();
      expect(lab.appliance.sessions.list().some((s) => s.id === login.session.id)).toBe(false);
      expect(login.session.config.hasChanges()).toBe(false);
    } finally {
      logins.closeAll();
    }
  });
});

describe('the built binary', () => {
  it('segsim start serves the web interface and shows the first password once', async () => {
    const home = labHome();
    const child = spawn(process.execPath, [BIN, '--home', home, 'start'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    try {
      await waitFor(() => out.includes('Running headless'), 20_000, `segsim start serving:\n${out}`);
      const [, url, password] = /web interface (https:\/\/127\.0\.0\.1:\d+\/) .*password (\S+) \(shown once/.exec(out)!;
      const client = new WebClient(url!, readFileSync(join(home, 'tls', 'lab-ca.pem'), 'utf8'));
      expect((await client.get('/setd/setup')).body).toContain('Welcome to Cisco Secure Email Threat Defense');
      expect((await client.login(password)).headers.location).toBe('/');
      expect((await client.get('/monitor/delivery-status')).body).toContain('the.tdc.queue');
      const attached = await runBinary(['--home', home, 'interfaceconfig']);
      expect(attached.stdout).toContain(`Web interface: ${url}`);
      const shell = await runBinary(['--home', home], 'quit\n');
      expect(shell.stdout).toContain(`web interface ${url}`);
      expect(shell.stdout).not.toContain(password); // shown once, at start
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      await exited;
      rmSync(home, { recursive: true, force: true });
    }
  });
});

describe('web forms: the operations of the commands, all or nothing', () => {
  let lab: Awaited<ReturnType<typeof webAppliance>>;
  let client: WebClient;
  beforeEach(async () => {
    lab = await webAppliance();
    client = lab.client();
    await client.login();
  });
  afterEach(async () => {
    await lab.stop();
    rmSync(lab.appliance.paths.root, { recursive: true, force: true });
  });

  const webSession = () => lab.appliance.sessions.list().find((s) => s.kind === 'web')!;
  const pendingOf = () => client.get('/commit').then((r) => r.body);
  const post = async (path: string, form: Record<string, string>) => client.post(path, { _csrf: WebClient.token((await client.get('/mail-policies/incoming')).body), ...form });

  it('a policy form with one bad field shows the error beside it and changes nothing; a good one is one edit', async () => {
    expect((await post('/mail-policies/incoming/new', { name: 'partner', position: '1', senders: '', recipients: 'partner.example' })).status).toBe(302);
    await post('/mail-policies/incoming/new', { name: 'vip', position: '1', senders: '', recipients: 'ceo@example.com' });
    // rename, move and a bad recipient: nothing of it is kept
    const bad = await post('/mail-policies/incoming/partner/edit', { name: 'partners', position: '1', senders: '', recipients: 'partner.example\nnot@@valid' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatch(/id="recipients-error"[^>]*>Invalid entry &quot;not@@valid&quot;/);
    expect(bad.body).toContain('value="partners"'); // what was typed stays in the form
    const names = () => client.get('/mail-policies/incoming').then((r) => [...r.body.matchAll(/data-policy="([^"]+)"/g)].map((m) => m[1]));
    expect(await names()).toEqual(['vip', 'partner', 'DEFAULT']);
    // the same edit, valid: renamed, moved and a member swapped at once
    expect((await post('/mail-policies/incoming/partner/edit', { name: 'partners', position: '1', senders: 'boss@outside.example', recipients: '.partner.example' })).status).toBe(302);
    expect(await names()).toEqual(['partners', 'vip', 'DEFAULT']);
    expect(await pendingOf()).toContain('Incoming Mail Policy partners: added');
    // a name another policy has is refused beside the name
    const taken = await post('/mail-policies/incoming/partners/edit', { name: 'VIP', position: '1', senders: '', recipients: 'partner.example' });
    expect(taken.body).toMatch(/id="name-error"[^>]*>There is already a policy with the new name/);
    // the policy's Threat Defense Connector: custom without an address is refused beside the field
    const noAddress = await post('/mail-policies/incoming/partners/threat-defense-connector', { mode: 'custom', intakeAddress: '' });
    expect(noAddress.body).toMatch(/id="intakeAddress-error"[^>]*>Invalid Message Intake Address: enter the Message Intake Address/);
    expect((await post('/mail-policies/incoming/partners/threat-defense-connector', { mode: 'mystery' })).body).toContain('Choose one of the options.');
    expect(lab.appliance.configuration.current.incomingPolicies.map((p) => p.name)).toEqual(['DEFAULT']); // nothing committed
  });

  it("the Threat Defense Connector page says a refused setting beside its field, in the page's words", async () => {
    const path = '/security-services/threat-defense-connector/edit';
    const missing = await post(path, { enabled: 'on', intakeAddress: '' });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatch(/id="intakeAddress-error"[^>]*>A Message Intake Address is required to enable the Threat Defense Connector\.</);
    const bad = await post(path, { enabled: 'on', intakeAddress: 'nobody@' });
    expect(bad.body).toMatch(/id="intakeAddress-error"[^>]*>Invalid Message Intake Address: the address has no domain\.</);
    for (const page of [missing.body, bad.body]) expect(page).not.toMatch(/--intake-address|That value is not valid/);
    expect(await pendingOf()).toContain('There are no uncommitted changes.');
  });

  it("a policy form says a refused setting beside its field, in the page's words", async () => {
    await post('/mail-policies/incoming/new', { name: 'partner', position: '1', senders: '', recipients: 'partner.example' });
    const badName = await post('/mail-policies/incoming/new', { name: 'bad name', position: '1', senders: '', recipients: 'x.example' });
    expect(badName.body).toMatch(/id="name-error"[^>]*>Invalid policy name: use 1-64 letters/);
    const noMembers = await post('/mail-policies/incoming/partner/edit', { name: 'partner', position: '1', senders: '', recipients: '' });
    expect(noMembers.status).toBe(400);
    expect(noMembers.body).toMatch(/id="recipients-error"[^>]*>Policy &quot;partner&quot; needs at least one sender or recipient\.</);
    const badAddress = await post('/mail-policies/incoming/partner/threat-defense-connector', { mode: 'custom', intakeAddress: 'nobody@' });
    expect(badAddress.body).toMatch(/id="intakeAddress-error"[^>]*>Invalid Message Intake Address: the address has no domain\.</);
    for (const page of [badName.body, noMembers.body, badAddress.body]) expect(page).not.toMatch(/ give --|choose on or off|That value is not valid/);
  });

  it("a new policy shows (use default) and its Threat Defense Connector page offers Use Default Settings; DEFAULT's does not", async () => {
    await post('/mail-policies/incoming/new', { name: 'sales', position: '1', senders: '', recipients: 'sales.example' });
    const table = (await client.get('/mail-policies/incoming')).body;
    expect(table).toMatch(/data-policy="sales"[\s\S]*?<td class="tdc"><a [^>]*>\(use default\)<\/a>/);
    const salesPage = (await client.get('/mail-policies/incoming/sales/threat-defense-connector')).body;
    expect(salesPage).toMatch(/value="use-default" checked> Use Default Settings \(DEFAULT: Use Global Settings/);
    const defaultPage = (await client.get('/mail-policies/incoming/DEFAULT/threat-defense-connector')).body;
    expect(defaultPage).not.toContain('value="use-default"');
    expect((await post('/mail-policies/incoming/DEFAULT/threat-defense-connector', { mode: 'use-default' })).body).toContain('Choose one of the options.');
    expect((await post('/mail-policies/incoming/DEFAULT/threat-defense-connector', { mode: 'no' })).status).toBe(302);
    expect((await post('/mail-policies/incoming/sales/threat-defense-connector', { mode: 'global' })).status).toBe(302);
    expect((await post('/commit', { comment: 'inheritance' })).status).toBe(302);
    expect(lab.appliance.configuration.current.incomingPolicies.map((p) => [p.name, p.tdc.mode])).toEqual([
      ['sales', 'global'],
      ['DEFAULT', 'no'],
    ]);
  });

  it("Abandon Changes drops this login's changes only; a commit refused for a clash keeps them and says which setting", async () => {
    await post('/security-services/threat-defense-connector/edit', { intakeAddress: 'first@beta.cmd.cisco.com' });
    await runScripted(policyconfigCommand, [], { appliance: lab.appliance, flags: { new: 'shellpolicy', recipient: ['shell.example'] } });
    expect((await post('/abandon', {})).headers.location).toBe('/commit?done=abandoned');
    expect(await pendingOf()).toContain('There are no uncommitted changes.');
    expect(
      consoleSession(lab.appliance)
        .config.changes()
        .map((c) => c.path),
    ).toEqual(['incomingPolicies[shellpolicy]']);
    consoleSession(lab.appliance).config.clear();

    await post('/security-services/threat-defense-connector/edit', { intakeAddress: 'web@beta.cmd.cisco.com' });
    await runScripted(tdcconfigCommand, [], { appliance: lab.appliance, flags: { intakeAddress: 'shell@beta.cmd.cisco.com' } });
    await consoleSession(lab.appliance).config.commit('the shell first');
    const refused = await post('/commit', { comment: 'too late' });
    expect(refused.status).toBe(409);
    expect(refused.body).toContain('Another session committed a change to Threat Defense Connector: Message Intake Address');
    expect(refused.body).toContain('web@beta.cmd.cisco.com'); // still pending, listed
    expect(lab.appliance.configuration.current.tdc.intakeAddress).toBe('shell@beta.cmd.cisco.com');
    expect(webSession()).toBeDefined();
  });
});
