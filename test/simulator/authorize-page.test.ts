import express from 'express';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulator, defaultAppScopes, type RunningSimulator } from '../../src/simulator/index.js';
import { appKey, appSecret, fakeClock, redirectUrl, serviceId, start, tokenGet } from './support.js';

const clock = fakeClock();
let sim: RunningSimulator;
beforeAll(async () => {
  sim = await start(clock, { label: 'spec' });
});
afterAll(() => sim.close());

function submit(fields: [string, string][]) {
  return fetch(`${sim.url}/open/authorize`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
}

describe('GET /open/authorize', () => {
  describe('with the app service_id', () => {
    it('renders a labelled page listing the test sellers, the app scopes (all or nothing, no checkboxes) and Approve/Deny', async () => {
      const response = await fetch(`${sim.url}/open/authorize?service_id=${serviceId}&state=abc`);
      const html = await response.text();
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/text\/html/);
      expect(html).toContain('TikTok Shop simulator — not the real TikTok');
      expect(html).toContain('Demo Local Seller');
      expect(html).toContain('Demo Cross-Border Seller');
      expect(html).toContain(`type="radio" id="seller-${sim.control.builtInSellers.local.openId}"`);
      expect(html).toContain('<h2 id="permissions">Permissions requested by the app (approve all, or deny)</h2>');
      expect(html).toContain('<li>Order Information <code>seller.order.info</code></li>');
      expect(html).not.toContain('type="checkbox"');
      expect(html).not.toContain('seller.finance.info');
      expect(html).toContain('<button type="submit" name="decision" value="approve">Approve</button>');
      expect(html).toContain('<input type="hidden" name="state" value="abc">');
      expect(html).toContain('<form method="post" action="/open/authorize">');
      expect(html).not.toContain('<script');
    });
  });

  describe('with a wrong service_id', () => {
    it('answers 400 with a TikTok-like error page', async () => {
      const response = await fetch(`${sim.url}/open/authorize?service_id=nope`);
      const html = await response.text();
      expect(response.status).toBe(400);
      expect(html).toContain('This authorization link is invalid');
    });
  });

  describe('mounted under /simulator', () => {
    it('renders the form action relative to the mount point', async () => {
      const app = express();
      app.use('/simulator', createSimulator({ appKey, appSecret, serviceId, redirectUrl, clock }).router);
      const server = app.listen(0, '127.0.0.1');
      await new Promise((resolve) => server.once('listening', resolve));
      const { port } = server.address() as AddressInfo;
      try {
        const html = await (await fetch(`http://127.0.0.1:${port}/simulator/open/authorize?service_id=${serviceId}`)).text();
        expect(html).toContain('action="/simulator/open/authorize"');
      } finally {
        server.close();
        server.closeAllConnections();
      }
    });
  });
});

describe('POST /open/authorize', () => {
  describe('Approve', () => {
    it('redirects to the redirect URL with code, state, app_key, locale and shop_region', async () => {
      const seller = sim.control.builtInSellers.crossBorder;
      const response = await submit([
        ['service_id', serviceId], ['state', 's-123'], ['open_id', seller.openId],
        ['scope', 'seller.authorization.info'], ['scope', 'seller.order.info'], ['decision', 'approve'],
      ]);
      expect(response.status).toBe(302);
      const location = new URL(response.headers.get('location') ?? '');
      expect(location.origin + location.pathname).toBe(redirectUrl);
      expect(Object.fromEntries(location.searchParams)).toStrictEqual({
        app_key: appKey, code: expect.stringMatching(/^ROW_/), locale: 'en', shop_region: 'GB', state: 's-123',
      });
      const { body } = await tokenGet(sim, location.searchParams.get('code') ?? '');
      expect(body.data?.open_id).toBe(seller.openId);
      // Sellers approve the whole list or nothing: scopes posted without the others change nothing.
      expect(body.data?.granted_scopes).toStrictEqual([...defaultAppScopes]);
    });

    describe('with allOrNothingScopes relaxed', () => {
      afterAll(() => sim.control.setStrict({ allOrNothingScopes: true }));

      it('offers a checkbox per scope and grants only the ticked ones', async () => {
        sim.control.setStrict({ allOrNothingScopes: false });
        const html = await (await fetch(`${sim.url}/open/authorize?service_id=${serviceId}`)).text();
        expect(html).toContain('name="scope" value="seller.order.info" checked');
        const response = await submit([
          ['service_id', serviceId], ['open_id', sim.control.builtInSellers.local.openId],
          ['scope', 'seller.authorization.info'], ['scope', 'seller.order.info'], ['decision', 'approve'],
        ]);
        const { body } = await tokenGet(sim, new URL(response.headers.get('location') ?? '').searchParams.get('code') ?? '');
        expect(body.data?.granted_scopes).toStrictEqual(['seller.authorization.info', 'seller.order.info']);
      });
    });

    it('omits state when none was given', async () => {
      const response = await submit([['service_id', serviceId], ['open_id', sim.control.builtInSellers.local.openId], ['decision', 'approve']]);
      const location = new URL(response.headers.get('location') ?? '');
      expect(location.searchParams.has('state')).toBe(false);
      expect(location.searchParams.get('shop_region')).toBe('US');
    });
  });

  describe('Deny', () => {
    it('redirects with error=access_denied, code=null and the state', async () => {
      const response = await submit([['service_id', serviceId], ['state', 's-9'], ['decision', 'deny']]);
      expect(response.status).toBe(302);
      expect(response.headers.get('location')).toBe(`${redirectUrl}?error=access_denied&code=null&state=s-9`);
    });
  });
});
