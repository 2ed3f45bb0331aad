import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.js';
import { expectAccessibleAtBothWidths } from '../support/page-checks.js';
import { startTestService, type TestService } from '../support/service.js';

/**
 * Issue #13: with a global and a US app, the connect page asks where the merchant sells, in plain words,
 * stays accessible, and sends them to the authorize page of the app they chose.
 */
describe('choosing the market on the connect page in Chromium', () => {
  let service: TestService;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    const apps = [
      { id: 'global', appKey: 'g_key', appSecret: 'g_secret', serviceId: 'g_service', market: 'global', authorizeUrl: 'https://global.example.test/open/authorize' },
      { id: 'us', appKey: 'u_key', appSecret: 'u_secret', serviceId: 'u_service', market: 'us', authorizeUrl: 'https://us.example.test/open/authorize' },
    ];
    service = await startTestService({ TIKTOK_APPS: JSON.stringify(apps) });
    browser = await launchChromium();
    context = await browser.newContext({ bypassCSP: true, locale: 'es-ES' });
  }, 120_000);
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await service?.stop();
  });

  it('asks in the merchant language, is axe-clean at both widths, and goes to the US app for "I sell in the United States"', async () => {
    const session = await service.connections.createConnectSession({ merchantRef: 'm-market' });
    expect(session.app).toBeNull();
    const page = await context.newPage();
    await page.goto(session.url);
    expect(await page.locator('legend').textContent()).toBe('¿Dónde vendes?');
    await expectAccessibleAtBothWidths(page, 'merchant-connect-market');
    await page.getByRole('radio', { name: 'Vendo en Estados Unidos' }).check();
    const [request] = await Promise.all([
      page.waitForRequest((sent) => sent.url().startsWith('https://us.example.test/open/authorize')),
      page.locator('main form button[type="submit"]').first().click(),
    ]);
    const authorize = new URL(request.url());
    expect(authorize.searchParams.get('service_id')).toBe('u_service');
    expect(authorize.searchParams.get('state')).toMatch(/^[\w-]{43}$/);
  }, 120_000);
});
