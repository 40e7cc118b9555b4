import { rmSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { labCommand } from '../../src/commands/lab.js';
import { policyconfigCommand } from '../../src/commands/policyconfig.js';
import { tdcconfigCommand } from '../../src/commands/tdcconfig.js';
import { CHROMIUM, HAVE_SWAKS, launchBrowser, NO_CHROMIUM, sendWithSwaks, shot } from '../helpers/browser.js';
import { commitEdit, consoleSession, runScripted } from '../helpers/scripted.js';
import { TEST_PASSWORD, webAppliance } from '../helpers/web.js';

type Lab = Awaited<ReturnType<typeof webAppliance>>;

if (!CHROMIUM) console.warn(NO_CHROMIUM);

describe.skipIf(!CHROMIUM)('the web pages in headless Chromium', () => {
  let lab: Lab;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  // a real browser on a shared 2-core machine: starting it under a full test run took over 30 s once
  const BROWSER_MS = 90_000;

  beforeEach(async () => {
    lab = await webAppliance();
    browser = await launchBrowser(lab.appliance.paths.tls);
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: lab.url.replace(/\/$/, '') });
    page = await context.newPage();
    // anything that runs from mail would show as a dialog
    page.on('dialog', (d) => {
      throw new Error(`unexpected dialog: ${d.message()}`);
    });
  }, BROWSER_MS);
  afterEach(async () => {
    await browser?.close();
    await lab.stop();
    rmSync(lab.appliance.paths.root, { recursive: true, force: true });
  }, BROWSER_MS);

  const go = (path: string) => page.goto(new URL(path, lab.url).href);

  async function login(): Promise<void> {
    await go('/');
    await page.fill('#username', 'admin');
    await page.fill('#password', TEST_PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL(/\/monitor\/delivery-status/);
  }

  /** The SETD wizard, as the seed walks it; returns the Message Intake Address it ends on. */
  async function setdWizard(region: string, name: string, shots = false): Promise<string> {
    await go('/setd/setup');
    if (shots) await shot(page, '01-setd-welcome');
    await page.click('#get-started');
    await page.check('input[name=seg][value=yes]');
    await page.check('input[name=segType][value=cisco]');
    await page.check('input[name=headerChoice][value=default]');
    if (shots) await shot(page, '02-setd-step1-seg');
    await page.click('button[type=submit]');
    await page.check('input[name=source][value=gateway]');
    await page.check('input[name=direction][value=incoming]');
    if (shots) await shot(page, '03-setd-step2-source');
    await page.click('button[type=submit]');
    await page.check('input[name=visibility][value=visibility-only]');
    await page.selectOption('select[name=region]', region);
    await page.fill('input[name=name]', name);
    if (shots) await shot(page, '04-setd-step3-visibility');
    await page.click('button[type=submit]');
    await page.waitForURL(/\/setd\/setup\/4/);
    const address = (await page.textContent('#intake-address'))!.trim();
    await page.click('button.copy');
    await expect.poll(() => page.textContent('button.copy')).toBe('Copied');
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(address);
    if (shots) await shot(page, '05-setd-step4-intake-address');
    return address;
  }

  it('the seed, end to end: SETD wizard, TDC and a custom-intake policy in the browser, commit, mail, live Delivery Status, tracking, SETD dashboard', async () => {
    // the lab's second domain, as the custom-intake lab prepares it
    await commitEdit(lab.appliance, (c) => {
      c.listener.acceptDomains.push('partner.example');
      c.smtpRoutes.push({ domain: 'partner.example', destinations: ['exchange.lab:25'] });
    });
    await go('/setd/');
    await page.waitForURL(/\/setd\/setup$/); // no account yet: the portal starts with the wizard
    const primary = await setdWizard('beta', 'primary', true);
    const secondary = await setdWizard('europe', 'secondary');
    expect(primary).toMatch(/@beta\.cmd\.cisco\.com$/);
    expect(secondary).toMatch(/@mail\.eu\.cmd\.cisco\.com$/);
    await go('/setd/policy');
    expect(await page.textContent('body')).toContain(secondary);
    await shot(page, '06-setd-policy');

    await go('/login');
    await shot(page, '07-login');
    await login();

    // Security Services > Threat Defense Connector: a bad address is refused beside the field
    await go('/security-services/threat-defense-connector');
    await shot(page, '08-tdc-settings');
    await page.click('text=Edit Settings...');
    await page.check('#enabled');
    await page.fill('#intakeAddress', 'not an address');
    await page.click('button:has-text("Submit")');
    expect(await page.textContent('#intakeAddress-error')).toContain('Invalid Message Intake Address');
    expect(lab.appliance.sessions.list().length).toBeGreaterThan(0);
    await shot(page, '09-tdc-settings-error');
    await page.fill('#intakeAddress', primary);
    await page.click('button:has-text("Submit")');
    await page.waitForURL(/threat-defense-connector\?saved=1/);
    expect(await page.textContent('#tdc-settings')).toContain(primary);
    expect(await page.isVisible('a.commit.pending')).toBe(true);
    expect(await page.textContent('.banner.pending-changes')).toContain('not yet committed');

    // pending in the browser: a shell session does not see it until it is committed
    const shell = async () => JSON.parse((await runScripted(tdcconfigCommand, [], { appliance: lab.appliance, flags: { json: true }, interactive: false })).transcript) as { enabled: boolean };
    expect((await shell()).enabled).toBe(false);

    // Mail Policies > Incoming Mail Policies: add the partner policy
    await go('/mail-policies/incoming');
    const headers = await page.$$eval('#policies th', (ths) => ths.map((t) => t.textContent));
    expect(headers.filter((h) => h !== 'Delete').at(-1)).toBe('Threat Defense Connector');
    await page.click('text=Add Policy...');
    await page.fill('#name', 'partner');
    await page.fill('#recipients', 'partner.example');
    await shot(page, '10-policy-add');
    await page.click('button:has-text("Submit")');
    await page.waitForURL(/incoming\?saved=1/);
    await page.click('tr[data-policy=partner] td.tdc a');
    await page.check('input[name=mode][value=custom]');
    await page.fill('#intakeAddress', secondary);
    expect(await page.textContent('main .note')).toContain('match');
    await shot(page, '11-policy-tdc-custom');
    await page.click('button:has-text("Submit")');
    await page.waitForURL(/incoming\?saved=1/);
    expect(await page.textContent('tr[data-policy=partner] td.tdc')).toBe('Enabled');
    expect(await page.textContent('tr[data-policy=DEFAULT] td.tdc')).toBe('Enabled');
    await shot(page, '12-incoming-mail-policies');

    // Commit Changes, with a comment
    await page.click('a.commit.pending');
    expect(await page.textContent('#pending-changes')).toContain('Incoming Mail Policy partner: added');
    await page.fill('#comment', 'TDC from the browser');
    await shot(page, '13-commit');
    await page.click('button.commit-changes');
    await page.waitForURL(/done=committed/);
    expect(await page.isVisible('.commit.none')).toBe(true);
    expect((await shell()).enabled).toBe(true);
    expect(lab.appliance.configuration.current.incomingPolicies[0]).toMatchObject({ name: 'partner', tdc: { mode: 'custom', intakeAddress: secondary } });

    // Monitor > Delivery Status: the.tdc.queue counts up while mail flows, without a reload
    await go('/monitor/delivery-status');
    await page.evaluate('window.stayed = true'); // gone if the page reloads
    const delivered = () => page.$eval('tr[data-host="the.tdc.queue"] td[data-column="Delivered Recipients"]', (td) => Number(td.textContent)).catch(() => 0);
    expect(await delivered()).toBe(0);
    // the SETD dashboard, open in another tab before the mail comes
    const dashboard = await context.newPage();
    await dashboard.goto(new URL('/setd/messages', lab.url).href);
    await dashboard.evaluate('window.stayed = true');
    expect(await dashboard.$$('#setd-messages tr[data-mid]')).toHaveLength(0);
    const port = lab.running.engine.listenerAddress().port;
    await sendWithSwaks(port, { from: 'alice@outside.example', to: 'bob@example.com', subject: 'quarterly report' });
    await sendWithSwaks(port, { from: 'carol@outside.example', to: 'dave@partner.example', subject: 'partner invoice' });
    await sendWithSwaks(port, { from: 'mallory@outside.example', to: 'bob@example.com', subject: '<script>alert(1)</script> hello' });
    await expect.poll(delivered, { timeout: 20_000 }).toBe(3);
    expect(await page.evaluate('window.stayed')).toBe(true);
    await shot(page, '14-delivery-status');
    await page.click('a:text-is("the.tdc.queue")');
    expect(await page.textContent('#host-status')).toMatch(/Delivered Recipients\s*3/);
    await shot(page, '15-delivery-status-tdc-queue');

    // Monitor > Message Tracking: the message, and its TDC line in the tracking timestamp form
    await go('/monitor/message-tracking');
    await page.fill('#recipient', 'partner.example');
    await page.click('button:has-text("Search")');
    expect(await page.$$eval('#tracking-results tr[data-mid]', (rows) => rows.length)).toBe(1);
    await shot(page, '16-message-tracking');
    await page.click('text=Show Details');
    const tdcLine = await page.textContent('#message-events tr.tdc-line');
    expect(tdcLine).toMatch(/\d\d \w{3} \d{4} \d\d:\d\d:\d\d \(GMT [+-]\d\d:\d\d\)\s*TDC: Message \d+ was successfully delivered for scanning with Cisco Secure Email Threat Defense\./);
    await shot(page, '17-message-details');
    // a subject with <script> is text
    await go('/monitor/message-tracking?search=1&subject=script');
    expect(await page.textContent('#tracking-results td.subject')).toBe('<script>alert(1)</script> hello');
    expect(await page.$$eval('main script', (s) => s.length)).toBe(0);

    // the SETD dashboard: the copies arrived without a reload, the partner one in the second account
    await expect.poll(() => dashboard.$$eval('#setd-messages tr[data-mid]', (rows) => rows.length)).toBe(3);
    expect(await dashboard.evaluate('window.stayed')).toBe(true);
    const rows = await dashboard.$$eval('#setd-messages tr[data-mid]', (trs) => trs.map((tr) => tr.textContent ?? ''));
    expect(rows.find((r) => r.includes('partner invoice'))).toContain('secondary');
    expect(rows.find((r) => r.includes('quarterly report'))).toContain('primary');
    expect(await dashboard.textContent('#setd-messages td.subject >> nth=0')).toContain('<script>alert(1)</script>');
    await shot(dashboard, '18-setd-messages');
    await dashboard.goto(new URL(`/setd/messages?verdict=Neutral&sender=carol`, lab.url).href);
    expect(await dashboard.$$('#setd-messages tr[data-mid]')).toHaveLength(1);
  }, 120_000);

  it(
    'a change pending in a shell is not in the browser until the shell commits it',
    async () => {
      await login();
      await runScripted(policyconfigCommand, [], { appliance: lab.appliance, flags: { new: 'shellpolicy', recipient: ['shell.example'] } });
      await go('/mail-policies/incoming');
      expect(await page.$('tr[data-policy=shellpolicy]')).toBeNull();
      expect(await page.isVisible('.commit.none')).toBe(true); // the shell's change is not this login's
      await consoleSession(lab.appliance).config.commit('from the shell');
      await page.reload();
      expect(await page.$('tr[data-policy=shellpolicy]')).not.toBeNull();
    },
    BROWSER_MS,
  );

  it('lab check passes after a browser solution of the custom-intake lab', async () => {
    const started = await runScripted(labCommand, [], { appliance: lab.appliance, args: ['start', 'custom-intake'] });
    const secondary = /second SETD account whose intake address is\s+(\S+);/.exec(started.transcript)![1]!;
    await login();
    await go('/mail-policies/incoming/new');
    await page.fill('#name', 'partner');
    await page.fill('#recipients', 'partner.example');
    await page.click('button:has-text("Submit")');
    await page.click('tr[data-policy=partner] td.tdc a');
    await page.check('input[name=mode][value=custom]');
    await page.fill('#intakeAddress', secondary);
    await page.click('button:has-text("Submit")');
    await page.click('a.commit.pending');
    await page.click('button.commit-changes');
    await page.waitForURL(/done=committed/);
    const { transcript } = await runScripted(labCommand, [], { appliance: lab.appliance, args: ['check'] });
    expect(transcript).toMatch(/\d+ passed, 0 failed/);
  }, 120_000);
});

describe.skipIf(!CHROMIUM || HAVE_SWAKS)('swaks', () => {
  it('is needed by the end-to-end browser test (apt-get install swaks)', () => {
    expect(HAVE_SWAKS).toBe(true);
  });
});
