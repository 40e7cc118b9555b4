import { CHROMIUM, NO_CHROMIUM } from '../helpers/browser.js';
import { BROWSER_MS, browserLab } from '../helpers/browser-lab.js';
import { commitEdit } from '../helpers/scripted.js';

if (!CHROMIUM) console.warn(NO_CHROMIUM);

const TDC = '/security-services/threat-defense-connector';
const ADDRESS = 'b5986efe@beta.cmd.cisco.com';

describe.skipIf(!CHROMIUM)('settings pages in headless Chromium', () => {
  let web: Awaited<ReturnType<typeof browserLab>>;
  beforeAll(async () => {
    web = await browserLab();
  }, BROWSER_MS);
  // each test starts from TDC disabled with no address, committed
  beforeEach(() => commitEdit(web.lab.appliance, (c) => void (c.tdc = { enabled: false, intakeAddress: null })));

  it(
    'clearing the Message Intake Address with Enable unticked stores it cleared; with Enable ticked it is refused beside the field',
    async () => {
      await commitEdit(web.lab.appliance, (c) => void (c.tdc = { enabled: true, intakeAddress: ADDRESS }));
      const page = await web.login();
      await web.go(page, `${TDC}/edit`);
      await page.fill('#intakeAddress', '');
      await page.click('button:has-text("Submit")');
      expect(await page.textContent('#intakeAddress-error')).toContain('A Message Intake Address is required');
      expect(await page.isVisible('.commit.none')).toBe(true);

      await page.uncheck('#enabled');
      await page.click('button:has-text("Submit")');
      await page.waitForURL(/\?saved=1/);
      const settings = await page.textContent('#tdc-settings');
      expect(settings).toMatch(/Threat Defense Connector:\s*Disabled/);
      expect(settings).toMatch(/Message Intake Address:\s*Not configured/);
      await page.click('a.commit.pending');
      await page.click('button.commit-changes');
      await page.waitForURL(/done=committed/);
      expect(web.lab.appliance.configuration.current.tdc).toEqual({ enabled: false, intakeAddress: null });
      await page.context().close();
    },
    BROWSER_MS,
  );

  it(
    'a login with changes pending shows what another session committed since, with its own changes on top',
    async () => {
      const page = await web.login();
      await web.go(page, '/mail-policies/incoming/new');
      await page.fill('#name', 'partner');
      await page.fill('#recipients', 'partner.example');
      await page.click('button:has-text("Submit")');
      await page.waitForURL(/incoming\?saved=1/);

      // another login (a one-shot tdcconfig) commits TDC Enabled meanwhile
      await commitEdit(web.lab.appliance, (c) => void (c.tdc = { enabled: true, intakeAddress: ADDRESS }));
      await web.go(page, TDC);
      const settings = await page.textContent('#tdc-settings');
      expect(settings).toMatch(/Threat Defense Connector:\s*Enabled/);
      expect(settings).toContain(ADDRESS);
      await web.go(page, '/mail-policies/incoming');
      expect(await page.$('tr[data-policy=partner]')).not.toBeNull();
      expect(await page.textContent('tr[data-policy=DEFAULT] td.tdc')).toBe('Enabled');
      expect(await page.$('main .note')).toBeNull(); // no "disabled globally" note
      await web.go(page, `${TDC}/edit`);
      expect(await page.isChecked('#enabled')).toBe(true);
      expect(await page.inputValue('#intakeAddress')).toBe(ADDRESS);

      // its own changes are still only its own, and commit keeps the other's
      await page.click('a.commit.pending');
      expect(await page.$$eval('#pending-changes tr', (rows) => rows.map((r) => r.textContent))).toEqual(['Incoming Mail Policy partner: added']);
      await page.click('button.commit-changes');
      await page.waitForURL(/done=committed/);
      const committed = web.lab.appliance.configuration.current;
      expect(committed.tdc).toEqual({ enabled: true, intakeAddress: ADDRESS });
      expect(committed.incomingPolicies.map((p) => p.name)).toEqual(['partner', 'DEFAULT']);
      await page.context().close();
    },
    BROWSER_MS,
  );

  it(
    'the Uncommitted Changes list words values as the pages do (Use Global Settings, Enabled, Not configured), not as stored',
    async () => {
      await commitEdit(web.lab.appliance, (c) => {
        c.incomingPolicies = c.incomingPolicies.filter((p) => p.name !== 'partner');
        c.incomingPolicies.unshift({
          ...structuredClone(c.incomingPolicies.at(-1)!),
          name: 'partner',
          recipients: ['partner.example'],
          antispam: 'use-default',
          antivirus: 'use-default',
          tdc: { mode: 'use-default' },
        });
      });
      const page = await web.login();
      await web.go(page, '/mail-policies/incoming/partner/threat-defense-connector');
      await page.check('input[name=mode][value=global]');
      const chosen = (await page.textContent('label:has(input[name=mode][value=global])'))!.trim();
      await page.click('button:has-text("Submit")');
      await page.waitForURL(/incoming\?saved=1/);
      await web.go(page, `${TDC}/edit`);
      await page.check('#enabled');
      await page.fill('#intakeAddress', ADDRESS);
      await page.click('button:has-text("Submit")');
      await page.waitForURL(/\?saved=1/);

      await page.click('a.commit.pending');
      const lines = await page.$$eval('#pending-changes tr', (rows) => rows.map((r) => r.textContent!));
      expect(lines).toEqual([
        'Threat Defense Connector: enabled: Disabled -> Enabled',
        `Threat Defense Connector: Message Intake Address: Not configured -> ${ADDRESS}`,
        'Incoming Mail Policy partner: Threat Defense Connector: Use Default Settings -> Use Global Settings',
      ]);
      expect(chosen.startsWith('Use Global Settings')).toBe(true);
      expect(await page.getAttribute('a.commit.pending', 'title')).toBe(lines.join('\n'));
      await page.click('#abandon');
      await page.waitForURL(/done=abandoned/);
      await page.context().close();
    },
    BROWSER_MS,
  );
});
