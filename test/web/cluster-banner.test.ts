import type { Browser, Page } from 'playwright-core';
import { CHROMIUM, launchBrowser, NO_CHROMIUM, shot } from '../helpers/browser.js';
import { TEST_PASSWORD, webAppliance, WebClient } from '../helpers/web.js';
import { cleanUp, formCluster, startMember, type Member } from '../cluster/helpers.js';

if (!CHROMIUM) console.warn(NO_CHROMIUM);

describe.skipIf(!CHROMIUM)('the Centralized Management bar in headless Chromium', () => {
  let a: Member | undefined;
  let b: Member | undefined;
  let browser: Browser | undefined;
  afterEach(async () => {
    await browser?.close();
    await cleanUp([a, b]);
    a = b = browser = undefined;
  });

  async function loggedIn(url: string): Promise<Page> {
    const page = await browser!.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('dialog', (d) => {
      throw new Error(`unexpected dialog: ${d.message()}`);
    });
    await page.goto(new URL('/login', url).href);
    await page.fill('#username', 'admin');
    await page.fill('#password', TEST_PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL(/\/monitor\/delivery-status/);
    return page;
  }

  it('shows Mode — Cluster: Hosted_Cluster once clustered; Change Mode moves this login only, and the pages edit its level', async () => {
    const web = await webAppliance();
    a = { home: web.appliance.paths.root, appliance: web.appliance, running: web.running };
    b = await startMember('esa2.example.com');
    browser = await launchBrowser(web.appliance.paths.tls);
    const page = await loggedIn(web.url);
    const go = (path: string) => page.goto(new URL(path, web.url).href);
    const tdcPage = '/security-services/threat-defense-connector';
    /** Chooses a mode in Change Mode...; the same page comes back, in that mode */
    const changeMode = async (value: string, label: string) => {
      await Promise.all([page.waitForResponse((r) => r.url().endsWith('/cluster-mode')), page.selectOption('#change-mode', value)]);
      await expect.poll(() => page.textContent('#current-mode').catch(() => null)).toBe(label);
    };

    // standalone: no bar
    await go(tdcPage);
    expect(await page.$('#cluster-mode')).toBeNull();

    await formCluster(a, b);
    await go(tdcPage);
    expect((await page.textContent('#cluster-mode .mode-label'))!.replace(/\s+/g, ' ')).toBe('Mode — Cluster: Hosted_Cluster');
    expect(await page.$$eval('#change-mode option', (os) => os.map((o) => o.textContent))).toEqual([
      'Change Mode...',
      'Cluster: Hosted_Cluster',
      'Group: Main_Group',
      'Machine: esa1.example.com',
      'Machine: esa2.example.com',
    ]);
    await page.click('#cm-options summary');
    expect(await page.textContent('#cm-options')).toMatch(/Threat Defense Connector \(tdcconfig\)\s*this mode/);
    await shot(page, '20-cluster-mode-bar');

    // at Cluster mode the TDC page edits the Cluster level: both members run on it once committed
    const editTdc = async (enabled: boolean, address: string) => {
      await go(`${tdcPage}/edit`);
      if (enabled) await page.check('#enabled');
      else await page.uncheck('#enabled');
      await page.fill('#intakeAddress', address);
      await page.click('button:has-text("Submit")');
      await page.waitForURL(/threat-defense-connector\?saved=1/);
      await page.click('a.commit.pending');
      await page.click('button.commit-changes');
      await page.waitForURL(/done=committed/);
    };
    await editTdc(true, 'cluster@beta.cmd.cisco.com');
    expect(web.appliance.cluster.doc!.shared.cluster.tdc).toEqual({ enabled: true, intakeAddress: 'cluster@beta.cmd.cisco.com' });
    expect(b.appliance.configuration.current.tdc.enabled).toBe(true);

    // Change Mode to this machine: the bar says so, TDC is seen as held at Cluster level
    await go(tdcPage);
    await changeMode('machine:esa1.example.com', 'Machine: esa1.example.com');
    expect(page.url()).toBe(new URL(tdcPage, web.url).href);
    expect(await page.textContent('#cm-options')).toMatch(/Threat Defense Connector \(tdcconfig\)\s*Cluster: Hosted_Cluster/);
    await editTdc(false, 'cluster@beta.cmd.cisco.com');
    expect(web.appliance.cluster.doc!.machines['esa1.example.com']!.settings.tdc).toEqual({ enabled: false, intakeAddress: 'cluster@beta.cmd.cisco.com' });
    expect(web.appliance.configuration.current.tdc.enabled).toBe(false);
    expect(b.appliance.configuration.current.tdc.enabled).toBe(true);
    expect(web.appliance.cluster.doc!.shared.cluster.tdc!.enabled).toBe(true);

    // the policy pages edit the level too: a policy added at Machine esa2 reaches only esa2's engine
    await go('/mail-policies/incoming');
    await changeMode('machine:esa2.example.com', 'Machine: esa2.example.com');
    await page.click('text=Add Policy...');
    await page.fill('#name', 'partner');
    await page.fill('#recipients', 'partner.example');
    await page.click('button:has-text("Submit")');
    await page.waitForURL(/incoming\?saved=1/);
    // with a change pending, Change Mode is refused, saying why, and the mode stays
    await Promise.all([page.waitForURL(/\/cluster-mode$/), page.selectOption('#change-mode', 'cluster')]);
    expect(await page.textContent('.notice.error')).toContain(
      'This session has uncommitted changes in "Machine esa2.example.com" mode: commit or clear them before switching to "Cluster Hosted_Cluster" mode.',
    );
    expect(await page.textContent('#current-mode')).toBe('Machine: esa2.example.com');
    await shot(page, '21-cluster-change-mode-refused');
    await page.click('a.commit.pending');
    await page.click('button.commit-changes');
    await page.waitForURL(/done=committed/);
    expect(b.appliance.configuration.current.incomingPolicies.map((p) => p.name)).toEqual(['partner', 'DEFAULT']);
    expect(web.appliance.configuration.current.incomingPolicies.map((p) => p.name)).toEqual(['DEFAULT']);

    // another web login has its own mode: it starts at Cluster
    const other = await loggedIn(web.url);
    await other.goto(new URL(tdcPage, web.url).href);
    expect(await other.textContent('#current-mode')).toBe('Cluster: Hosted_Cluster');
    expect(await other.textContent('#tdc-settings')).toContain('Enabled');
  }, 90_000);
});

describe('Change Mode over HTTP', () => {
  let a: Member | undefined;
  let b: Member | undefined;
  afterEach(async () => {
    await cleanUp([a, b]);
    a = b = undefined;
  });

  it('is refused on a standalone appliance, and comes back only to a page of this site', async () => {
    const web = await webAppliance();
    a = { home: web.appliance.paths.root, appliance: web.appliance, running: web.running };
    const client = web.client();
    await client.login();
    const post = async (form: Record<string, string>) => client.post('/cluster-mode', { _csrf: WebClient.token((await client.get('/monitor/delivery-status')).body), ...form });
    const standalone = await post({ mode: 'cluster', back: '/' });
    expect(standalone.status).toBe(409);
    expect(standalone.body).toContain('Change Mode is only available on a cluster system: this machine is not in a cluster.');
    expect(standalone.body).not.toContain('id="cluster-mode"');

    b = await startMember('esa2.example.com');
    await formCluster(a, b);
    expect((await post({ mode: 'group:Main_Group', back: '//elsewhere.example/' })).headers.location).toBe('/');
    expect((await client.get('/mail-policies/incoming')).body).toMatch(/id="current-mode">Group: Main_Group</);
    const unknown = await post({ mode: 'machine:esa9.example.com', back: '/mail-policies/incoming' });
    expect(unknown.status).toBe(409);
    expect(unknown.body).toContain('Unknown machine &quot;esa9.example.com&quot;: choose one of esa1.example.com, esa2.example.com.');
  });
});
