import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.js';
import { startTestService, type TestService } from '../support/service.js';

describe('connecting a demo shop in Chromium', () => {
  let service: TestService;
  let browser: Browser;

  beforeAll(async () => {
    service = await startTestService();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await service?.stop();
  });

  it('goes from the home page through TikTok Shop approval to the status page listing the shops', async () => {
    const page = await browser.newPage({ javaScriptEnabled: false });
    await page.goto(`${service.url}/`);
    expect(await page.locator('h1').textContent()).toBe('TikTok Shop Connect');

    await page.getByRole('button', { name: 'Connect a demo shop' }).click();
    await page.waitForURL(/\/connect\/[\w-]{43}$/);
    expect(await page.locator('h1').textContent()).toBe('Connect your TikTok Shop to TikTok Shop Connect');
    expect(await page.locator('main').innerText()).toContain('Your reference with TikTok Shop Connect: demo-merchant.');

    await page.getByRole('button', { name: 'Connect with TikTok Shop' }).click();
    await page.waitForURL(/\/simulator\/open\/authorize\?/);
    expect(await page.locator('h1').textContent()).toBe('Authorize app');

    await page.getByLabel(/Demo Cross-Border Seller/).check();
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.waitForURL(/\/merchant\/connections\/[0-9a-f-]{36}\?outcome=created$/);

    expect(await page.locator('h1').textContent()).toBe('Your TikTok Shop is connected');
    expect(await page.getByRole('table').innerText()).toBe(
      'Shops TikTok Shop Connect can work with\nShop\tRegion\nDemo Cross-Border DE\tDE\nDemo Cross-Border FR\tFR\nDemo Cross-Border GB\tGB',
    );
    const text = await page.locator('main').innerText();
    expect(text).toContain('Status: Connected · TikTok Shop account: Demo Cross-Border Seller');
    expect(text).toMatch(/Access lasts until \d{1,2} \w+ \d{4}\./);
    expect(text).not.toContain('What needs your attention');
    expect(text).not.toMatch(/ROW_|TTP_/);

    const cookies = await page.context().cookies();
    expect(cookies.map((cookie) => [cookie.name, cookie.httpOnly, cookie.sameSite]).sort()).toStrictEqual([
      ['tsc_locale', true, 'Lax'],
      ['tsc_merchant', true, 'Lax'],
      ['tsc_oauth_binding', true, 'Lax'],
    ]);
  });
});
