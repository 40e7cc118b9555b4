import type { Page } from 'playwright-core';
import { CHROMIUM, NO_CHROMIUM, shot } from '../helpers/browser.js';
import { BROWSER_MS, browserLab } from '../helpers/browser-lab.js';

if (!CHROMIUM) console.warn(NO_CHROMIUM);

/** The focused element's text and role, as a screen reader would announce it. */
const focused = (page: Page) =>
  page.evaluate<{ text: string | undefined; role: string | undefined }>(
    "(({ activeElement: e }) => ({ text: e?.textContent?.trim(), role: e?.getAttribute('role') ?? e?.tagName.toLowerCase() }))(document)",
  );

/** Tabs from the top of the page to the control named `name`; fails after `limit` presses. */
async function tabTo(page: Page, name: string, limit = 12): Promise<void> {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    if ((await focused(page)).text === name) return;
  }
  throw new Error(`${name} cannot be reached with Tab (${limit} presses)`);
}

describe.skipIf(!CHROMIUM)('the gateway menus and error pages in headless Chromium', () => {
  let web: Awaited<ReturnType<typeof browserLab>>;
  beforeAll(async () => {
    web = await browserLab();
  }, BROWSER_MS);

  it(
    'the menus are reached, opened, walked, closed and followed with the keyboard alone',
    async () => {
      const page = await web.login();
      const monitor = page.getByRole('button', { name: 'Monitor' });
      const monitorMenu = page.getByRole('menu', { name: 'Monitor' });
      await tabTo(page, 'Monitor');
      expect(await monitor.getAttribute('aria-expanded')).toBe('false');
      expect(await monitor.getAttribute('aria-haspopup')).toBe('menu');
      expect(await monitorMenu.isVisible()).toBe(false);

      await page.keyboard.press('Enter');
      expect(await monitorMenu.isVisible()).toBe(true);
      expect(await monitor.getAttribute('aria-expanded')).toBe('true');
      expect(await focused(page)).toEqual({ text: 'Delivery Status', role: 'menuitem' });
      await shot(page, 'menus-keyboard-monitor-open');
      await page.keyboard.press('ArrowDown');
      expect((await focused(page)).text).toBe('Message Tracking');
      await page.keyboard.press('ArrowDown'); // wraps
      expect((await focused(page)).text).toBe('Delivery Status');
      await page.keyboard.press('End');
      expect((await focused(page)).text).toBe('Message Tracking');
      await page.keyboard.press('Escape');
      expect(await monitorMenu.isVisible()).toBe(false);
      expect(await monitor.getAttribute('aria-expanded')).toBe('false');
      expect(await focused(page)).toEqual({ text: 'Monitor', role: 'button' });

      // Right goes to the next menu; Space opens it; Right in an open menu opens the one beside it
      await page.keyboard.press('ArrowRight');
      expect((await focused(page)).text).toBe('Mail Policies');
      await page.keyboard.press(' ');
      expect((await focused(page)).text).toBe('Incoming Mail Policies');
      await page.keyboard.press('ArrowRight');
      expect(await page.getByRole('menu', { name: 'Mail Policies' }).isVisible()).toBe(false);
      expect(await page.getByRole('menu', { name: 'Security Services' }).isVisible()).toBe(true);
      expect((await focused(page)).text).toBe('Threat Defense Connector');
      await page.keyboard.press('Enter');
      await page.waitForURL(/\/security-services\/threat-defense-connector$/);

      // Up opens a menu on its last item; Tab out of an open menu closes it
      await tabTo(page, 'Monitor');
      await page.keyboard.press('ArrowUp');
      expect((await focused(page)).text).toBe('Message Tracking');
      await page.keyboard.press('Tab');
      expect(await monitorMenu.isVisible()).toBe(false);
      expect((await focused(page)).text).toBe('Mail Policies');
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('Enter');
      await page.waitForURL(/\/mail-policies\/incoming$/);
      await page.context().close();
    },
    BROWSER_MS,
  );

  it(
    'an error page keeps the menus, Commit Changes and Log Out for a logged-in user',
    async () => {
      const page = await web.login();
      const refused = await web.go(page, '/mail-policies/incoming/nosuchpolicy/threat-defense-connector');
      expect(refused?.status()).toBe(400);
      expect(await page.textContent('main .notice.error')).toContain('There is no incoming policy named "nosuchpolicy"');
      expect(await page.getByRole('button', { name: 'Security Services' }).isVisible()).toBe(true);
      expect(await page.isVisible('.commit.none')).toBe(true);
      await shot(page, 'error-page-logged-in');

      const missing = await web.go(page, '/no/such/page');
      expect(missing?.status()).toBe(404);
      expect(await page.textContent('main h1')).toBe('Not found');
      // the menus work there too, from the keyboard
      await tabTo(page, 'Mail Policies');
      await page.keyboard.press('Enter');
      await page.keyboard.press('Enter');
      await page.waitForURL(/\/mail-policies\/incoming$/);
      await web.go(page, '/no/such/page');
      await page.click('button:has-text("Log Out")');
      await page.waitForURL(/\/login$/);
      await page.context().close();
    },
    BROWSER_MS,
  );
});
