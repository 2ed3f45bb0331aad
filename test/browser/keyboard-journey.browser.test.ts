import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedConnection } from '../admin/support.js';
import { launchChromium } from '../support/chromium.js';
import { expectEveryControlReachable, tabTo } from '../support/keyboard.js';
import { startTestService, type TestService } from '../support/service.js';

/**
 * Issue #16: the admin journey and a merchant's, with the keyboard alone (Tab, Enter, Space): every
 * control of each page takes the focus with a visible ring, and every step is done without a mouse.
 * The pages keep their Content-Security-Policy here (no bypass): the copy button must work under it.
 */
describe('the console and the merchant pages with the keyboard alone', () => {
  let service: TestService;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    service = await startTestService({ ADMIN_EMAILS: 'ops@example.com' });
    await seedConnection(service, { sellerName: 'Sunrise Outfitters', merchantRef: 'acme-1042' });
    await seedConnection(service, { sellerName: 'Harbor Home', status: 'needs_reauth', merchantRef: 'acme-2210' });
    browser = await launchChromium();
    context = await browser.newContext({ locale: 'en-GB' });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: service.url });
    context.setDefaultTimeout(30_000);
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await service?.stop();
  });

  /** Presses a key that navigates: to `url`, or (`'reload'`) to a new document at the same URL, as a form that posts back does. */
  const press = async (page: Page, key: 'Enter' | 'Space', url: RegExp | string | 'reload') => {
    const navigated = url === 'reload' ? page.waitForEvent('load') : page.waitForURL(url);
    await Promise.all([navigated, page.keyboard.press(key)]);
  };
  const heading = (page: Page) => page.getByRole('heading', { level: 1 }).textContent();

  it('signs in, opens the overview, the connections and one connection, and creates an API client and copies its key', async () => {
    const page = await context.newPage();
    await page.goto(`${service.url}/admin`);
    await page.waitForURL(/\/dev-idp\/interaction\//);
    expect(await heading(page)).toBe('Development sign-in');
    await expectEveryControlReachable(page);
    await tabTo(page, 'E-mail address');
    await page.keyboard.type('ops@example.com');
    await press(page, 'Enter', `${service.url}/admin`);
    expect(await heading(page)).toBe('Connections');
    await expectEveryControlReachable(page);

    await tabTo(page, 'Overview');
    await press(page, 'Enter', `${service.url}/admin/overview`);
    expect(await heading(page)).toBe('Overview');
    await expectEveryControlReachable(page);

    await tabTo(page, 'Connections');
    await press(page, 'Enter', `${service.url}/admin`);
    await tabTo(page, 'Sunrise Outfitters');
    await press(page, 'Enter', /\/admin\/connections\/[0-9a-f-]{36}$/);
    expect(await heading(page)).toBe('Sunrise Outfitters');
    await expectEveryControlReachable(page);

    // A collapsed history entry opens with Space on its summary.
    const summaries = page.locator('details summary');
    if ((await summaries.count()) > 0) {
      await tabTo(page, (await summaries.first().innerText()).trim().replace(/\s+/g, ' '));
      await page.keyboard.press('Space');
      expect(await page.locator('details').first().getAttribute('open')).toBe('');
    }

    await tabTo(page, 'API clients');
    await press(page, 'Enter', `${service.url}/admin/api-clients`);
    expect(await heading(page)).toBe('API clients');
    await expectEveryControlReachable(page);
    await tabTo(page, 'Name (the internal app that will use the key)');
    await page.keyboard.type('keyboard app');
    // Every scope is ticked by default: untick "sign" with Space.
    await tabTo(page, /^sign\b/);
    await page.keyboard.press('Space');
    expect(await page.getByLabel(/^sign\b/).isChecked()).toBe(false);
    await tabTo(page, 'Create API client');
    // The form posts back to /admin/api-clients, the URL it is on: wait for the new page, not the URL.
    await press(page, 'Enter', 'reload');
    expect(await heading(page)).toBe('API client keyboard app created');
    await expectEveryControlReachable(page);
    const key = await page.getByLabel('API key for keyboard app').inputValue();
    await tabTo(page, 'Copy key');
    await page.keyboard.press('Space');
    await expect.poll(() => page.getByRole('status').textContent()).toBe('Copied to the clipboard.');
    expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(key);
    expect((await service.request('/v1/connections', { headers: { 'x-api-key': key } })).status).toBe(200);
    await page.close();
  }, 600_000);

  it('connects a demo shop from the home page and reads its status page', async () => {
    const page = await context.newPage();
    await page.goto(`${service.url}/`);
    await expectEveryControlReachable(page);
    await tabTo(page, 'Connect a demo shop');
    await press(page, 'Enter', /\/connect\/[\w-]{43}$/);
    await expectEveryControlReachable(page);
    await tabTo(page, 'Connect with TikTok Shop');
    await press(page, 'Enter', /\/simulator\/open\/authorize\?/);
    // TikTok's page (the simulator's stand-in): choose the first seller with Space, approve with Enter.
    await tabTo(page, /^Demo .* Seller/);
    await page.keyboard.press('Space');
    await tabTo(page, 'Approve');
    await press(page, 'Enter', /\/merchant\/connections\/[0-9a-f-]{36}\?outcome=created$/);
    expect(await heading(page)).toBe('Your TikTok Shop is connected');
    await expectEveryControlReachable(page);
    await page.close();
  }, 600_000);
});
