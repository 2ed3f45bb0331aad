import express from 'express';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import { appKey, appSecret, authorize, fakeClock, redirectUrl, serviceId, signedCall, start, tokenGet, tokenRefresh, type TokenData } from './support.js';

const clock = fakeClock();
let sim: RunningSimulator;
let tokens: TokenData;
beforeAll(async () => {
  sim = await start(clock);
  tokens = await authorize(sim, sim.control.builtInSellers.local.openId);
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.control.clearFaults();
  sim.control.resetCounters();
});

const shops = () => signedCall(sim.url, clock, { path: '/seller/202309/shops', accessToken: tokens.access_token });

describe('fault injection', () => {
  it('answers the next N calls with HTTP 429 + 36009002, then recovers', async () => {
    sim.control.failNext({ kind: 'rate-limit', count: 2 });
    const answers = [await shops(), await shops(), await shops()];
    expect(answers.map(({ status, body }) => [status, body.code])).toStrictEqual([[429, 36009002], [429, 36009002], [200, 0]]);
    expect(sim.control.counters().rateLimited).toBe(2);
  });

  it('answers HTTP 503 + 36009003 only on the chosen path', async () => {
    sim.control.failNext({ kind: 'server-error', count: 1, path: '/api/v2/token/refresh' });
    expect((await shops()).status).toBe(200);
    const { status, body } = await tokenRefresh(sim, tokens.refresh_token);
    expect([status, body.code]).toStrictEqual([503, 36009003]);
    const retried = await tokenRefresh(sim, tokens.refresh_token);
    expect(retried.body.code).toBe(0);
    tokens = { ...tokens, ...retried.body.data };
  });

  it('delays responses', async () => {
    sim.control.setLatency({ ms: 120, count: 1 });
    const started = performance.now();
    await shops();
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);
  });
});

describe('HTTP control routes under /_sim', () => {
  const post = (path: string, body: unknown) =>
    fetch(`${sim.url}/_sim${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('adds a seller, issues a code for it and reads the counters', async () => {
    const seller = (await (await post('/sellers', { name: 'HTTP Seller', shops: [{ region: 'DE' }] })).json()) as { openId: string };
    const { code } = (await (await post('/auth-codes', { openId: seller.openId, grantedScopes: ['seller.shop.info'] })).json()) as { code: string };
    expect((await tokenGet(sim, code)).body.data?.granted_scopes).toStrictEqual(['seller.shop.info']);
    const counters = await (await fetch(`${sim.url}/_sim/counters`)).json();
    expect(counters).toMatchObject({ tokenGets: 1 });
  });

  it('sets a 429 burst and settings over HTTP', async () => {
    expect((await post('/faults/burst', { kind: 'rate-limit', count: 1 })).status).toBe(204);
    expect((await shops()).status).toBe(429);
    const settings = await fetch(`${sim.url}/_sim/settings`, {
      method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rotation: 'non-rotating', accessTokenLifetimeSeconds: 60 }),
    });
    expect(await settings.json()).toMatchObject({ rotation: 'non-rotating', accessTokenLifetimeSeconds: 60 });
    sim.control.setRotation('strict');
    sim.control.setLifetimes({ accessTokenSeconds: 7 * 86_400 });
  });

  it('refuses unknown fields with 400', async () => {
    const response = await post('/faults/burst', { kind: 'rate-limit', count: 1, extra: true });
    expect(response.status).toBe(400);
  });
});

describe('mounted under /simulator behind the service', () => {
  it('verifies the signature over the TikTok path, without the mount prefix', async () => {
    const mounted = createSimulator({ appKey, appSecret, serviceId, redirectUrl, clock });
    const app = express();
    app.use('/simulator', mounted.router);
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const code = mounted.control.issueAuthCode({ openId: mounted.control.builtInSellers.local.openId });
      const query = new URLSearchParams({ app_key: appKey, app_secret: appSecret, auth_code: code, grant_type: 'authorized_code' });
      const token = (await (await fetch(`${base}/simulator/api/v2/token/get?${query}`)).json()) as { data: TokenData };
      const { body } = await signedCall(base, clock, { base: '/simulator', path: '/seller/202309/shops', accessToken: token.data.access_token });
      expect(body.code).toBe(0);
    } finally {
      server.close();
      server.closeAllConnections();
    }
  });
});
