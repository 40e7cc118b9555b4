import { rmSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { TDC_QUEUE } from '../../src/engine/config/model.js';
import { CHROMIUM, HAVE_SWAKS, launchBrowser, NO_CHROMIUM, sendWithSwaks, shot } from '../helpers/browser.js';
import { commitEdit } from '../helpers/scripted.js';
import { TEST_PASSWORD, webAppliance } from '../helpers/web.js';
import { setdStoreOf } from '../../src/setd/appliance-store.js';

if (!CHROMIUM) console.warn(NO_CHROMIUM);

describe.skipIf(!CHROMIUM || !HAVE_SWAKS)('Monitor > Message Tracking in headless Chromium', () => {
  let lab: Awaited<ReturnType<typeof webAppliance>>;
  let browser: Browser;
  let page: Page;
  // a real browser on a shared 2-core machine
  const BROWSER_MS = 90_000;

  beforeEach(async () => {
    lab = await webAppliance();
    browser = await launchBrowser(lab.appliance.paths.tls);
    page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  }, BROWSER_MS);
  afterEach(async () => {
    await browser?.close();
    await lab.stop();
    rmSync(lab.appliance.paths.root, { recursive: true, force: true });
  }, BROWSER_MS);

  const go = (path: string) => page.goto(new URL(path, lab.url).href);
  const cells = (selector: string) => page.$$eval(selector, (els) => els.map((el) => el.textContent?.trim() ?? ''));

  it('a message split by policy: each part has its sender, recipients, subject and Message-ID, is found by its own recipient, and its journal copy by the MID its TDC line names; details are tracking sentences', async () => {
    // Given TDC on, and a policy of its own for partner.example: one message to both domains is split
    const account = setdStoreOf(lab.appliance).createAccount({ name: 'primary', region: 'beta' });
    await commitEdit(lab.appliance, (c) => {
      c.tdc = { enabled: true, intakeAddress: account.intakeAddress };
      c.listener.acceptDomains.push('partner.example');
      c.smtpRoutes.push({ domain: 'partner.example', destinations: ['exchange.lab:25'] });
      c.incomingPolicies.unshift({ name: 'partner', senders: [], recipients: ['partner.example'], antispam: 'on', antivirus: 'on', tdc: { mode: 'global' } });
    });
    await sendWithSwaks(lab.running.engine.listenerAddress().port, { from: 'alice@outside.example', to: 'bob@example.com,dave@partner.example', subject: 'split by policy' });
    const tdc = () => lab.running.engine.hosts().find((h) => h.host === TDC_QUEUE)?.deliveredRecipients ?? 0;
    await expect.poll(tdc, { timeout: 20_000 }).toBe(2);

    await go('/');
    await page.fill('#username', 'admin');
    await page.fill('#password', TEST_PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL(/\/monitor\/delivery-status/);

    // When the operator searches by the partner recipient
    await go('/monitor/message-tracking');
    await page.fill('#recipient', 'dave@partner.example');
    await page.click('button:has-text("Search")');
    // Then only the part delivered to that recipient is listed, with the message's sender and subject
    const rows = await page.$$eval('#tracking-results tr[data-mid]', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent?.trim() ?? '')));
    expect(rows).toHaveLength(1);
    const [, midCell, sender, recipients, subject, tdcCell] = rows[0]!;
    const part = Number(/^\d+/.exec(midCell!)![0]);
    expect(midCell).toMatch(/Split from MID \d+/);
    const original = Number(/Split from MID (\d+)/.exec(midCell!)![1]);
    expect([sender, recipients, subject]).toEqual(['alice@outside.example', 'dave@partner.example', 'split by policy']);
    expect(tdcCell).toMatch(/^TDC: Message \d+ was successfully delivered for scanning with Cisco Secure Email Threat Defense\.$/);
    const copy = Number(/Message (\d+)/.exec(tdcCell!)![1]);
    await shot(page, 'tracking-01-recipient-search');

    // the part's details: its own summary, and what happened to it in tracking sentences
    await page.click('text=Show Details');
    await page.waitForURL(new RegExp(`/monitor/message-tracking/${part}$`));
    expect(await page.textContent('#sender')).toBe('alice@outside.example');
    expect(await page.textContent('#recipients')).toBe('dave@partner.example');
    expect(await page.textContent('#message-id')).toMatch(/^<.+@.+>$/);
    expect(await page.textContent('#relation')).toBe(`Split from MID ${original}`);
    const partLines = await cells('#message-events tr td:nth-child(2)');
    expect(partLines).toContain(`Message ${original} was split creating message ${part} due to a per-recipient policy partner in the inbound table.`);
    expect(partLines).toContain(`Message ${part} matched per-recipient policy partner for inbound mail policies.`);
    expect(partLines).toContain(`Message ${part} queued for delivery.`);
    expect(partLines.some((l) => new RegExp(`^\\(DCID \\d+\\) Delivery started for message ${part} to dave@partner\\.example\\.$`).test(l))).toBe(true);
    expect(await page.textContent('#message-events tr.tdc-line')).toMatch(
      new RegExp(`\\d\\d \\w{3} \\d{4} \\d\\d:\\d\\d:\\d\\d \\(GMT [+-]\\d\\d:\\d\\d\\)TDC: Message ${copy} was successfully delivered for scanning with Cisco Secure Email Threat Defense\\.`),
    );
    // no mail_logs text: tracking has sentences of its own
    expect(partLines.filter((l) => /\bMID \d+\b|\bRID\b|^Info:/.test(l))).toEqual([]);
    await shot(page, 'tracking-02-part-details');

    // the original kept the other recipient; its details tell the SMTP conversation
    await go(`/monitor/message-tracking/${original}`);
    expect(await page.textContent('#recipients')).toBe('bob@example.com');
    const originalLines = await cells('#message-events tr td:nth-child(2)');
    expect(originalLines.some((l) => new RegExp(`^Start message ${original} on incoming connection \\(ICID \\d+\\)\\.$`).test(l))).toBe(true);
    expect(originalLines.some((l) => new RegExp(`^Message ${original} enqueued on incoming connection \\(ICID \\d+\\) from alice@outside\\.example\\.$`).test(l))).toBe(true);
    expect(originalLines).toContain(`Message ${original} original subject on injection: split by policy`);
    expect(originalLines.some((l) => /^Incoming connection \(ICID \d+\) lost\.$/.test(l))).toBe(true);

    // the journal copy, by the MID its TDC line names, through the search form
    await go('/monitor/message-tracking');
    await page.fill('#mid', String(copy));
    await page.click('button:has-text("Search")');
    const copyRows = await cells('#tracking-results tr[data-mid] td:nth-child(2)');
    expect(copyRows).toEqual([`${copy}Journal copy of MID ${part}`]);
    await page.click('text=Show Details');
    expect(await page.textContent('#recipients')).toBe(account.intakeAddress);
    expect(await page.textContent('#message-events tr.tdc-line')).toContain(`TDC: Message ${copy} was successfully delivered for scanning with Cisco Secure Email Threat Defense.`);
    await shot(page, 'tracking-03-journal-copy-details');
  }, 120_000);
});
