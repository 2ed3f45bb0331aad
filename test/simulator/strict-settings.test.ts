import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { referenceSign } from '../../src/simulator/reference-signature.js';
import { appKey, appSecret, authorize, fakeClock, signedCall, start, tokenRefresh, type TokenData } from './support.js';

// Issue #11 item 10 (and item 3's refusal): where TikTok's behaviour is undocumented the simulator
// takes the stricter side by default, and each behaviour can be relaxed.
const clock = fakeClock();
let sim: RunningSimulator;
let tokens: TokenData;
beforeAll(async () => {
  sim = await start(clock);
});
afterAll(() => sim.close());
beforeEach(async () => {
  sim.control.setStrict({ requireContentType: true, refreshRevokesAccessTokens: true, refuseQueryAccessToken: true, allOrNothingScopes: true });
  tokens = await authorize(sim, sim.control.builtInSellers.local.openId);
  sim.control.resetCounters();
});

const shops = (accessToken: string, contentType?: string | null) =>
  signedCall(sim.url, clock, { path: '/authorization/202309/shops', accessToken, ...(contentType === undefined ? {} : { contentType }) });

describe('the strict defaults', () => {
  it('are all on, with refresh tokens living a year', () => {
    expect(sim.control.settings()).toMatchObject({
      refreshTokenLifetimeSeconds: 365 * 86_400,
      strict: { requireContentType: true, refreshRevokesAccessTokens: true, refuseQueryAccessToken: true, allOrNothingScopes: true },
    });
    expect(tokens.refresh_token_expire_in).toBe(clock.seconds() + 365 * 86_400);
  });
});

describe('a call without content-type', () => {
  it('is refused with 36009022, a GET included, and counted', async () => {
    const { status, body } = await shops(tokens.access_token, null);
    expect(status).toBe(400);
    expect(body).toMatchObject({
      code: 36009022,
      message: 'Invalid request format. The request body format must be `application/json` for structured data or `multipart/form-data` for binary files.',
    });
    expect(sim.control.counters().strictRefusals).toBe(1);
  });

  it('passes with application/json', async () => {
    expect((await shops(tokens.access_token, 'application/json; charset=utf-8')).body.code).toBe(0);
  });

  it('passes when requireContentType is relaxed', async () => {
    sim.control.setStrict({ requireContentType: false });
    expect((await shops(tokens.access_token, null)).body.code).toBe(0);
  });
});

describe('an access token after a refresh', () => {
  it('is refused with 105001 once the grant was refreshed, while the new one works', async () => {
    const { body: refreshed } = await tokenRefresh(sim, tokens.refresh_token);
    expect(refreshed.code).toBe(0);
    const old = await shops(tokens.access_token);
    expect(old.body).toMatchObject({ code: 105001, message: 'access token is invalid' });
    expect((await shops(refreshed.data!.access_token)).body.code).toBe(0);
  });

  it('keeps working until it expires when refreshRevokesAccessTokens is relaxed', async () => {
    sim.control.setStrict({ refreshRevokesAccessTokens: false });
    expect((await tokenRefresh(sim, tokens.refresh_token)).body.code).toBe(0);
    expect((await shops(tokens.access_token)).body.code).toBe(0);
  });
});

describe('access_token in the query', () => {
  const withQueryToken = () => {
    const query = { app_key: appKey, timestamp: String(clock.seconds()), access_token: tokens.access_token };
    const sign = referenceSign({ appSecret, path: '/authorization/202309/shops', query, contentType: 'application/json' });
    return fetch(`${sim.url}/authorization/202309/shops?${new URLSearchParams({ ...query, sign })}`, { headers: { 'content-type': 'application/json' } }).then(
      async (response) => ({ status: response.status, body: (await response.json()) as { code: number; message: string } }),
    );
  };

  it('is refused (deprecated since 202309)', async () => {
    expect(await withQueryToken()).toMatchObject({
      status: 401,
      body: { code: 36009004, message: 'Invalid credentials. The `access_token` query parameter is no longer supported since version 202309; send the `x-tts-access-token` header.' },
    });
  });

  it('is accepted when refuseQueryAccessToken is relaxed', async () => {
    sim.control.setStrict({ refuseQueryAccessToken: false });
    expect((await withQueryToken()).body.code).toBe(0);
  });
});

describe('PUT /_sim/settings', () => {
  it('flips a strict setting for tests in other processes', async () => {
    const response = await fetch(`${sim.url}/_sim/settings`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ strict: { requireContentType: false } }),
    });
    expect(((await response.json()) as { strict: Record<string, boolean> }).strict).toStrictEqual({
      requireContentType: false, refreshRevokesAccessTokens: true, refuseQueryAccessToken: true, allOrNothingScopes: true,
    });
  });
});
