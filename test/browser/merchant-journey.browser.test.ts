import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.js';
import { expectAccessibleAtBothWidths } from '../support/page-checks.js';
import { startTestService, type TestService } from '../support/service.js';

/** Issue #16: the merchant journey at 375 and 1280 px, with no sideways scroll and no axe violation on any page. */
describe('the merchant journey in Chromium', () => {
  let service: TestService;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    // A seller who unticks a scope on TikTok's page: the lax side of the simulator (strict sellers approve all or nothing).
    service = await startTestService({ APP_DISPLAY_NAME: 'Acme Orders' }, { simulator: { strict: { allOrNothingScopes: false } } });
    browser = await launchChromium();
    context = await browser.newContext({ bypassCSP: true, locale: 'en-GB' });
  });
  afterAll(async () => {
    await browser?.close();
    await service?.stop();
  });

  it('connects a shop, shows what is wrong in plain words with the action first, and every page passes', async () => {
    const page = await context.newPage();
    await page.goto(`${service.url}/`);
    await expectAccessibleAtBothWidths(page, 'merchant-home');

    await page.getByRole('button', { name: 'Connect a demo shop' }).click();
    await page.waitForURL(/\/connect\/[\w-]{43}$/);
    expect(await page.locator('h1').textContent()).toBe('Connect your TikTok Shop to Acme Orders');
    await expectAccessibleAtBothWidths(page, 'merchant-connect');

    await page.getByRole('button', { name: 'Connect with TikTok Shop' }).click();
    await page.waitForURL(/\/simulator\/open\/authorize\?/);
    // Untick Order Information on TikTok's page: the status page must ask to re-authorize and keep it ticked.
    await page.getByLabel(/Demo Cross-Border Seller/).check();
    await page.getByLabel(/Order Information/).uncheck();
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.waitForURL(/\/merchant\/connections\/[0-9a-f-]{36}\?outcome=created$/);
    expect(await page.locator('h1').textContent()).toBe('Your TikTok Shop is connected');
    expect(await page.getByRole('table').innerText()).toBe(
      'Shops Acme Orders can work with\nShop\tRegion\nDemo Cross-Border DE\tDE\nDemo Cross-Border FR\tFR\nDemo Cross-Border GB\tGB',
    );
    await expectAccessibleAtBothWidths(page, 'merchant-connected');

    const connectionId = new URL(page.url()).pathname.split('/').pop()!;
    await service.connections.problems.recordScopeMissing({
      connectionId, apiPath: '/order/202309/orders/search', scopeKeys: ['seller.order.info'], tiktokCode: 105005, tiktokMessage: 'Access denied',
    });
    await service.connections.problems.recordScopeMissing({
      connectionId, apiPath: '/finance/202309/statements', scopeKeys: ['seller.finance.info'], tiktokCode: 105005, tiktokMessage: 'Access denied',
    });
    await page.goto(`${service.url}/merchant/connections/${connectionId}`);
    expect(await page.locator('h1').textContent()).toBe('Re-authorize and keep Order Information ticked');
    // The action first: the button is above the fold on a phone, before the problems, shops and permissions.
    await page.setViewportSize({ width: 375, height: 800 });
    const button = page.getByRole('button', { name: 'Re-authorize on TikTok Shop' });
    expect(await button.count()).toBe(1);
    expect((await button.boundingBox())!.y).toBeLessThan(800);
    const support = page.locator('details.support').first();
    expect(await support.isVisible()).toBe(true);
    expect(await page.getByText('TikTok Shop code 105005: Access denied').first().isVisible()).toBe(false);
    expect(await page.getByText('We are fixing a problem on our side').isVisible()).toBe(true);
    await expectAccessibleAtBothWidths(page, 'merchant-problems');

    await service.db.sql.query("UPDATE connections SET status = 'needs_reauth', status_reason = 'TikTok no longer accepts the stored refresh token (TikTok 36004005)' WHERE id = $1", [connectionId]);
    await page.reload();
    expect(await page.locator('h1').textContent()).toBe('Re-authorize to reconnect your shops');
    expect(await page.locator('main').innerText()).not.toMatch(/refresh token|36004005|Access lasts/);
    await expectAccessibleAtBothWidths(page, 'merchant-needs-reauth');

    for (const [status, heading] of [['suspended', 'This connection is paused'], ['revoked', 'This connection was ended']] as const) {
      await service.db.sql.query(`UPDATE connections SET status = '${status}' WHERE id = $1`, [connectionId]);
      await page.reload();
      expect(await page.locator('h1').textContent()).toBe(heading);
      // Nothing the merchant can do here: no re-authorize button, no end date.
      expect(await page.getByRole('button', { name: 'Re-authorize on TikTok Shop' }).count()).toBe(0);
      expect(await page.locator('main').innerText()).not.toMatch(/Access lasts/);
      await expectAccessibleAtBothWidths(page, `merchant-${status}`);
    }
    await page.close();
  });

  it('shows error pages with a specific title and a next step, in the merchant language', async () => {
    const page = await context.newPage();
    await page.goto(`${service.url}/connect/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`);
    expect(await page.locator('h1').textContent()).toBe('This connect link does not work');
    expect(await page.getByRole('link', { name: 'Go to the start page' }).count()).toBe(1);
    await expectAccessibleAtBothWidths(page, 'error-connect-link');

    await page.goto(`${service.url}/merchant/connections/00000000-0000-4000-8000-000000000000`);
    expect(await page.locator('h1').textContent()).toBe('This status link does not work any more');
    await expectAccessibleAtBothWidths(page, 'error-status-link');

    await page.goto(`${service.url}/merchant/no/such/page`);
    expect(await page.locator('h1').textContent()).toBe('This page does not exist');
    await expectAccessibleAtBothWidths(page, 'error-not-found');
    await page.close();

    const spanish = await browser.newContext({ bypassCSP: true, locale: 'es-MX', extraHTTPHeaders: { 'accept-language': 'es-MX,es;q=0.9' } });
    const es = await spanish.newPage();
    const session = await service.connections.createConnectSession({ merchantRef: 'm-es' });
    await es.goto(session.url);
    expect(await es.locator('h1').textContent()).toBe('Conecta tu TikTok Shop con Acme Orders');
    await expectAccessibleAtBothWidths(es, 'merchant-connect-es');
    await es.goto(`${service.url}/connect/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`);
    expect(await es.locator('h1').textContent()).toBe('Este enlace de conexión no funciona');
    await expectAccessibleAtBothWidths(es, 'error-connect-link-es');
    await spanish.close();
  });
});
