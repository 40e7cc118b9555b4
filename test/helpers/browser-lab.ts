import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from './browser.js';
import { stopAfterFile } from './cleanup.js';
import { TEST_PASSWORD, webAppliance } from './web.js';

type Lab = Awaited<ReturnType<typeof webAppliance>>;

/** A real browser on a shared 2-core machine can take over 30 s to start under load. */
export const BROWSER_MS = 90_000;

/**
 * One running appliance and one headless Chromium for a test file (both stopped, the home removed,
 * when the file ends); `login` opens a new browser context logged in as admin, so each test is a
 * web login (an appliance session) of its own.
 */
export async function browserLab(): Promise<{ lab: Lab; browser: Browser; login(): Promise<Page>; go(page: Page, path: string): ReturnType<Page['goto']> }> {
  const lab = await webAppliance();
  stopAfterFile(() => lab.stop());
  const browser = await launchBrowser(lab.appliance.paths.tls);
  stopAfterFile(() => browser.close());
  const go = (page: Page, path: string) => page.goto(new URL(path, lab.url).href);
  return {
    lab,
    browser,
    go,
    async login() {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      page.on('dialog', (d) => {
        throw new Error(`unexpected dialog: ${d.message()}`);
      });
      await go(page, '/login');
      await page.fill('#username', 'admin');
      await page.fill('#password', TEST_PASSWORD);
      await page.click('button[type=submit]');
      await page.waitForURL(/\/monitor\/delivery-status/);
      return page;
    },
  };
}
