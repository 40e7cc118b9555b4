import { execFile } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's chromium (.ci/run installs it); the browser tests skip, saying why, without it. */
export const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p)) ?? null;
export const NO_CHROMIUM = "Debian's chromium is not installed (apt-get install chromium; .ci/run does): the browser tests are skipped";
export const HAVE_SWAKS = existsSync('/usr/bin/swaks');

/** Screenshots of every page, kept as test artefacts (gitignored). */
export const SCREENSHOTS = new URL('../../test-artifacts/web-screenshots/', import.meta.url).pathname;

/**
 * Headless Chromium that trusts the lab's server certificate only (pinned by its public key, not
 * "ignore all certificate errors"): the pages are checked over the HTTPS the appliance serves.
 */
export async function launchBrowser(tlsDir: string): Promise<Browser> {
  const cert = new X509Certificate(readFileSync(join(tlsDir, 'server.pem')));
  const spki = cert.publicKey.export({ type: 'spki', format: 'der' });
  const pin = createHash('sha256').update(spki).digest('base64');
  return chromium.launch({
    executablePath: CHROMIUM!,
    headless: true,
    args: ['--no-sandbox', `--ignore-certificate-errors-spki-list=${pin}`, '--disable-gpu', '--disable-dev-shm-usage'],
  });
}

/** Saves a full-page screenshot under test-artifacts/web-screenshots/NAME.png. */
export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

const run = promisify(execFile);

/** Sends one message with swaks to the appliance's listener (asynchronously: the appliance runs in this process). */
export async function sendWithSwaks(port: number, opts: { from: string; to: string; subject: string; body?: string }): Promise<string> {
  const { stdout } = await run('swaks', [
    '--server',
    `127.0.0.1:${port}`,
    '--timeout',
    '10',
    '--from',
    opts.from,
    '--to',
    opts.to,
    '--header',
    `Subject: ${opts.subject}`,
    '--body',
    opts.body ?? 'Sent by the browser test.',
  ]);
  return stdout;
}
