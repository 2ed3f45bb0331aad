import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatedSeller } from '../../src/simulator/index.js';
import { CookieBrowser, location } from '../connections/browser.js';
import { FakeClock } from '../support/clock.js';
import { formWithButton, sectionOf, textOf } from '../support/html.js';
import { startTestService, type TestService } from '../support/service.js';

/** Issue #16: merchant pages in plain words, in the merchant's language, under the company's app name. */
describe('merchant pages', () => {
  let service: TestService;
  const clock = new FakeClock('2026-11-23T10:00:00.000Z');
  const sim = () => service.simulator!.control;

  beforeAll(async () => {
    service = await startTestService({ APP_DISPLAY_NAME: 'Acme Orders' }, { clock });
  });
  afterAll(async () => {
    await service?.stop();
  });

  /** Connect link → authorize → simulator approval → TikTok's redirect (with `locale` when given); answers the callback's answer. */
  async function connect(browser: CookieBrowser, connectPath: string, seller: SimulatedSeller, options: { locale?: string; headers?: Record<string, string> } = {}) {
    const started = await browser.postForm(`${connectPath}/authorize`);
    const state = location(started).searchParams.get('state')!;
    const fields: [string, string][] = [['service_id', 'sim_service'], ['decision', 'approve'], ['state', state], ['open_id', seller.openId]];
    for (const scope of sim().settings().appScopes) fields.push(['scope', scope]);
    const callback = location(await browser.postForm('/simulator/open/authorize', fields));
    if (options.locale) callback.searchParams.set('locale', options.locale);
    return browser.request(callback.href, { headers: options.headers ?? {} });
  }

  const main = (html: string) => textOf(/<main id="main">([\s\S]*)<\/main>/.exec(html)![1]!);

  it('after connecting, says so first and lists the shops and the permissions granted in words', async () => {
    const browser = new CookieBrowser(service);
    const session = await service.connections.createConnectSession({ merchantRef: 'm-100' });
    const done = await connect(browser, new URL(session.url).pathname, sim().builtInSellers.local);
    expect(location(done).search).toBe('?outcome=created');
    const page = await browser.request(location(done).pathname + location(done).search);
    const html = await page.text();
    expect(textOf(sectionOf(html, 'status-heading'))).toMatch(/^Your TikTok Shop is connected Acme Orders can now work with the shops below\. Status: Connected · TikTok Shop account: Demo Local Seller /);
    expect(textOf(sectionOf(html, 'shops-heading'))).toBe('Connected shops Shops Acme Orders can work with Shop Region Demo Local Shop US US');
    expect(textOf(sectionOf(html, 'permissions-heading'))).toContain('Order Information: Read your orders.');
    expect(html).toContain('<title>Demo Local Seller: your connection to Acme Orders · Acme Orders</title>');
    expect(html).toContain('<link rel="icon" href="/favicon.svg" type="image/svg+xml">');
  });

  it('speaks the language TikTok reports on the callback, and keeps it for the status page', async () => {
    const browser = new CookieBrowser(service);
    const seller = sim().addSeller({ name: 'Tienda Sol', shops: [{ region: 'MX', name: 'Sol MX' }] });
    const session = await service.connections.createConnectSession({ merchantRef: 'm-mx' });
    const done = await connect(browser, new URL(session.url).pathname, seller, { locale: 'es-MX' });
    expect(browser.cookies.get('tsc_locale')).toBe('es');
    const page = await browser.request(location(done).pathname + location(done).search, { headers: { 'accept-language': 'en-US' } });
    expect(page.headers.get('content-language')).toBe('es');
    const html = await page.text();
    expect(html).toContain('<html lang="es">');
    expect(textOf(sectionOf(html, 'status-heading'))).toMatch(/^Tu TikTok Shop está conectada Acme Orders ya puede trabajar con las tiendas de abajo\. Estado: Conectada /);
    expect(textOf(sectionOf(html, 'permissions-heading'))).toContain('Información de pedidos: Leer tus pedidos.');
  });

  it.each([
    ['es-ES,es;q=0.9', 'es', 'Conecta tu TikTok Shop con Acme Orders', 'Conectar con TikTok Shop'],
    ['id-ID,id;q=0.9,en;q=0.8', 'id', 'Hubungkan TikTok Shop Anda ke Acme Orders', 'Hubungkan dengan TikTok Shop'],
    ['ja-JP', 'en', 'Connect your TikTok Shop to Acme Orders', 'Connect with TikTok Shop'],
  ])('shows the connect page for Accept-Language %s in %s', async (acceptLanguage, lang, heading, button) => {
    const session = await service.connections.createConnectSession({ merchantRef: 'm-lang' });
    const page = await new CookieBrowser(service).request(new URL(session.url).pathname, { headers: { 'accept-language': acceptLanguage } });
    expect(page.headers.get('content-language')).toBe(lang);
    const html = await page.text();
    expect(html).toContain(`<html lang="${lang}">`);
    expect(html).toContain(`<h1 id="connect-heading">${heading}</h1>`);
    expect(formWithButton(html, button).method).toBe('post');
  });

  it('answers an expired link in Indonesian with a specific title and a next step', async () => {
    const session = await service.connections.createConnectSession({ merchantRef: 'm-late' });
    clock.advanceSeconds(31 * 60);
    const page = await new CookieBrowser(service).request(new URL(session.url).pathname, { headers: { 'accept-language': 'id' } });
    expect(page.status).toBe(410);
    const html = await page.text();
    expect(html).toContain('<html lang="id">');
    expect(main(html)).toBe(
      'Tautan koneksi ini sudah kedaluwarsa Minta tautan koneksi baru kepada Acme Orders. Tautan hanya berlaku untuk waktu terbatas. ' +
        `Ke halaman awal Referensi connect_session_expired · ${page.headers.get('x-request-id')} Detail untuk tim dukungan This connect link has expired.`,
    );
  });

  it('refuses a re-authorization approved by another seller, explains it, and changes nothing', async () => {
    const browser = new CookieBrowser(service);
    const owner = sim().addSeller({ name: 'Owner Shop', shops: [{ region: 'GB', name: 'Owner GB' }] });
    const other = sim().addSeller({ name: 'Other Shop', shops: [{ region: 'GB', name: 'Other GB' }] });
    const first = await connect(browser, new URL((await service.connections.createConnectSession({ merchantRef: 'm-owner' })).url).pathname, owner);
    const statusPath = location(first).pathname;
    const connectionId = statusPath.split('/').pop()!;
    const before = await service.db.sql.query('SELECT id, open_id, token_version FROM connections ORDER BY id');

    const reauth = await browser.postForm(`${statusPath}/reauthorize`);
    const refused = await connect(browser, location(reauth).pathname, other);
    expect(refused.status).toBe(409);
    expect(main(await refused.text())).toMatch(
      /^You approved with a different TikTok Shop account Sign in to TikTok Shop as Owner Shop and re-authorize again\. Nothing was changed\. To connect Other Shop as well, ask Acme Orders for a new connect link\. Go to the start page Reference reauthorization_seller_mismatch /,
    );
    expect(await service.db.sql.query('SELECT id, open_id, token_version FROM connections ORDER BY id')).toStrictEqual(before);
    expect(await service.db.sql.query('SELECT count(*)::int AS n FROM connections WHERE open_id = $1', [other.openId])).toStrictEqual([{ n: 0 }]);
    expect(connectionId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('serves the favicon', async () => {
    const icon = await service.request('/favicon.svg');
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8');
    expect(await icon.text()).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  });
});
