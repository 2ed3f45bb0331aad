import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { authorize, fakeClock, start, tokenGet, tokenRefresh } from './support.js';

const clock = fakeClock();
let sim: RunningSimulator;
let openId: string;
beforeAll(async () => {
  sim = await start(clock);
  openId = sim.control.builtInSellers.local.openId;
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.control.setRotation('strict');
  sim.control.setLifetimes({ accessTokenSeconds: 7 * 86_400, refreshTokenSeconds: 90 * 86_400 });
  sim.control.clearFaults();
  sim.control.resetCounters();
});

describe('GET /api/v2/token/get', () => {
  it('returns the TikTok envelope with absolute unix-second expiries from the clock', async () => {
    const code = sim.control.issueAuthCode({ openId });
    const { status, body } = await tokenGet(sim, code);
    expect(status).toBe(200);
    expect(body).toStrictEqual({
      code: 0,
      message: 'Success',
      request_id: expect.stringMatching(/^20260301120000[0-9A-F]{20}$/),
      data: {
        access_token: expect.stringMatching(/^ROW_/),
        access_token_expire_in: clock.seconds() + 7 * 86_400,
        refresh_token: expect.stringMatching(/^ROW_/),
        refresh_token_expire_in: clock.seconds() + 90 * 86_400,
        open_id: openId,
        seller_name: 'Demo Local Seller',
        seller_base_region: 'US',
        user_type: 0,
        granted_scopes: sim.control.settings().appScopes,
      },
    });
    expect(sim.control.counters().tokenGets).toBe(1);
  });

  it('accepts a code once; the second exchange answers 36004004 "invalid auth code"', async () => {
    const code = sim.control.issueAuthCode({ openId });
    expect((await tokenGet(sim, code)).body.code).toBe(0);
    const { status, body } = await tokenGet(sim, code);
    expect(status).toBe(200);
    expect(body).toStrictEqual({ code: 36004004, message: 'invalid auth code', request_id: expect.any(String) });
  });

  it('refuses a code older than 30 minutes', async () => {
    const code = sim.control.issueAuthCode({ openId });
    clock.advance(30 * 60);
    expect((await tokenGet(sim, code)).body.code).toBe(36004004);
  });

  it('refuses a wrong app_secret without consuming the code', async () => {
    const code = sim.control.issueAuthCode({ openId });
    expect((await tokenGet(sim, code, { app_secret: 'wrong' })).body).toMatchObject({ code: 36009004, message: 'Invalid app_key or app_secret.' });
    expect((await tokenGet(sim, code)).body.code).toBe(0);
  });

  it('refuses grant_type=authorization_code (TikTok spells it authorized_code)', async () => {
    const code = sim.control.issueAuthCode({ openId });
    expect((await tokenGet(sim, code, { grant_type: 'authorization_code' })).body.code).toBe(36009004);
  });

  it('keeps only scopes the app has enabled', async () => {
    const tokens = await authorize(sim, openId, ['seller.order.info', 'seller.finance.info']);
    expect(tokens.granted_scopes).toStrictEqual(['seller.order.info']);
  });
});

describe('GET /api/v2/token/refresh', () => {
  describe('in strict rotation mode', () => {
    it('issues a new refresh token, keeps the authorization expiry, and refuses and counts the old one', async () => {
      const first = await authorize(sim, openId);
      clock.advance(3_600);
      const { body } = await tokenRefresh(sim, first.refresh_token);
      expect(body.code).toBe(0);
      expect(body.data?.refresh_token).not.toBe(first.refresh_token);
      expect(body.data?.access_token).not.toBe(first.access_token);
      expect(body.data?.access_token_expire_in).toBe(clock.seconds() + 7 * 86_400);
      expect(body.data?.refresh_token_expire_in).toBe(first.refresh_token_expire_in);

      const reused = await tokenRefresh(sim, first.refresh_token);
      expect(reused.body).toStrictEqual({ code: 36004005, message: 'can not find related auth record', request_id: expect.any(String) });
      expect(sim.control.counters()).toMatchObject({ reusedRefreshTokens: 1, refreshes: { total: 2, byOpenId: { [openId]: 2 } } });
      expect((await tokenRefresh(sim, body.data?.refresh_token ?? '')).body.code).toBe(0);
    });
  });

  describe('in non-rotating mode', () => {
    it('returns the same refresh token, which keeps working', async () => {
      sim.control.setRotation('non-rotating');
      const first = await authorize(sim, openId);
      const once = await tokenRefresh(sim, first.refresh_token);
      const twice = await tokenRefresh(sim, first.refresh_token);
      expect(once.body.data?.refresh_token).toBe(first.refresh_token);
      expect(twice.body.data?.refresh_token).toBe(first.refresh_token);
      expect(sim.control.counters().reusedRefreshTokens).toBe(0);
    });
  });

  describe('in grace mode', () => {
    it('accepts the old refresh token during the grace period only', async () => {
      sim.control.setRotation('grace', 30);
      const first = await authorize(sim, openId);
      expect((await tokenRefresh(sim, first.refresh_token)).body.code).toBe(0);
      clock.advance(29);
      expect((await tokenRefresh(sim, first.refresh_token)).body.code).toBe(0);
      clock.advance(1);
      expect((await tokenRefresh(sim, first.refresh_token)).body.code).toBe(36004005);
      expect(sim.control.counters().reusedRefreshTokens).toBe(2);
    });
  });

  it('answers 36004001 "rt has expired" once the authorization has expired', async () => {
    sim.control.setLifetimes({ accessTokenSeconds: 5, refreshTokenSeconds: 10 });
    const tokens = await authorize(sim, openId);
    expect(tokens.access_token_expire_in).toBe(clock.seconds() + 5);
    expect(tokens.refresh_token_expire_in).toBe(clock.seconds() + 10);
    clock.advance(10);
    expect((await tokenRefresh(sim, tokens.refresh_token)).body).toMatchObject({ code: 36004001, message: 'rt has expired' });
  });

  it('answers 36004005 for an unknown refresh token', async () => {
    expect((await tokenRefresh(sim, 'ROW_unknown')).body.code).toBe(36004005);
    expect(sim.control.counters().refreshes).toStrictEqual({ total: 1, byOpenId: {} });
  });

  it('answers 36004005 after the seller revoked the app', async () => {
    const tokens = await authorize(sim, openId);
    sim.control.revokeSeller(openId);
    expect((await tokenRefresh(sim, tokens.refresh_token)).body.code).toBe(36004005);
  });

  describe('when the answer is lost after TikTok rotated (answerButFail)', () => {
    it('has already rotated: the dropped call leaves the old refresh token dead', async () => {
      const tokens = await authorize(sim, openId);
      sim.control.answerButFail({ endpoint: 'refresh', how: 'drop' });
      await expect(tokenRefresh(sim, tokens.refresh_token)).rejects.toThrow();
      expect((await tokenRefresh(sim, tokens.refresh_token)).body.code).toBe(36004005);
    });

    it('delays the successful answer', async () => {
      const tokens = await authorize(sim, openId);
      sim.control.answerButFail({ endpoint: 'refresh', how: 'delay', ms: 150 });
      const started = performance.now();
      const { body } = await tokenRefresh(sim, tokens.refresh_token);
      expect(body.code).toBe(0);
      expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    });
  });
});
