import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAuthClient, type AuthClient } from '../../src/tiktok/auth-client.js';
import {
  TikTokAuthCodeInvalid,
  TikTokBadResponse,
  TikTokGrantDead,
  TikTokUnavailable,
} from '../../src/tiktok/errors.js';
import { mockTikTok, queryOf } from './support/mock-tiktok.js';

const authBaseUrl = 'https://auth.tiktok-shops.com';
const appKey = 'test_app_key';
const appSecret = 'test_app_secret_value';

const tokenData = {
  access_token: 'ROW_access_token_value',
  access_token_expire_in: 1782408746,
  refresh_token: 'ROW_refresh_token_value',
  refresh_token_expire_in: 4903858076,
  open_id: 'hWaeegAAAABqXniBPelk',
  seller_name: 'Origeens',
  seller_base_region: 'FR',
  user_type: 0,
  granted_scopes: ['seller.order.info', 'seller.authorization.info'],
};

function envelope(data: unknown, code = 0, message = 'success') {
  return { code, message, request_id: '2022080809462301024509910319695C45', data };
}

describe('createAuthClient', () => {
  let mock: ReturnType<typeof mockTikTok>;
  let auth: AuthClient;

  beforeEach(() => {
    mock = mockTikTok();
    auth = createAuthClient({ fetch: mock.fetch, authBaseUrl, appKey, appSecret, timeoutMs: 100 });
  });
  afterEach(async () => {
    mock.agent.assertNoPendingInterceptors();
    await mock.agent.close();
  });

  const pool = () => mock.agent.get(authBaseUrl);

  describe('getToken', () => {
    describe('when TikTok answers code 0 with a full token set', () => {
      it('sends the documented query and returns absolute expiries', async () => {
        pool().intercept({ path: /^\/api\/v2\/token\/get\?/, method: 'GET' }).reply(200, envelope(tokenData));

        const tokens = await auth.getToken('auth code+1');

        expect(tokens).toStrictEqual({
          accessToken: 'ROW_access_token_value',
          accessTokenExpiresAt: new Date(1782408746 * 1000),
          refreshToken: 'ROW_refresh_token_value',
          refreshTokenExpiresAt: new Date(4903858076 * 1000),
          openId: 'hWaeegAAAABqXniBPelk',
          sellerName: 'Origeens',
          sellerBaseRegion: 'FR',
          userType: 0,
          grantedScopes: ['seller.order.info', 'seller.authorization.info'],
        });
        expect(queryOf(mock.requests[0]!.url)).toStrictEqual({
          app_key: appKey,
          app_secret: appSecret,
          auth_code: 'auth code+1',
          grant_type: 'authorized_code',
        });
        expect(mock.requests[0]!.url).toContain('auth_code=auth%20code%2B1');
      });
    });

    describe('when the scopes come as granted_permissions', () => {
      it('reads them from the older field name', async () => {
        const { granted_scopes: _ignored, ...rest } = tokenData;
        pool()
          .intercept({ path: /^\/api\/v2\/token\/get\?/, method: 'GET' })
          .reply(200, envelope({ ...rest, granted_permissions: ['SELLER_ORDER_INFO'], seller_base_region: '' }));

        const tokens = await auth.getToken('code');

        expect(tokens.grantedScopes).toStrictEqual(['SELLER_ORDER_INFO']);
        expect(tokens.sellerBaseRegion).toBeNull();
      });
    });

    describe('when the answer has no granted_scopes at all (issue #11 item 5)', () => {
      it('reads the scopes as unknown, never as an empty grant', async () => {
        const { granted_scopes: _ignored, ...rest } = tokenData;
        pool().intercept({ path: /^\/api\/v2\/token\/get\?/, method: 'GET' }).reply(200, envelope(rest));

        const tokens = await auth.getToken('code');

        expect(tokens.grantedScopes).toBeUndefined();
      });
    });

    describe('when TikTok answers 36004004', () => {
      it('throws TikTokAuthCodeInvalid carrying the TikTok detail', async () => {
        pool()
          .intercept({ path: /^\/api\/v2\/token\/get\?/, method: 'GET' })
          .reply(200, envelope(null, 36004004, 'invalid auth code'));

        const error = await auth.getToken('used-code').catch((e: unknown) => e);

        expect(error).toBeInstanceOf(TikTokAuthCodeInvalid);
        expect(error).toMatchObject({
          code: 'tiktok_auth_code_invalid',
          message: 'TikTok rejected the authorization code (36004004 "invalid auth code").',
          tiktok: { code: 36004004, message: 'invalid auth code', requestId: '2022080809462301024509910319695C45' },
          httpStatus: 200,
        });
      });
    });

    describe('when the response lacks refresh_token', () => {
      it('throws TikTokBadResponse rather than a partial token set', async () => {
        const { refresh_token: _ignored, ...rest } = tokenData;
        pool().intercept({ path: /^\/api\/v2\/token\/get\?/, method: 'GET' }).reply(200, envelope(rest));

        await expect(auth.getToken('code')).rejects.toThrow(TikTokBadResponse);
      });

      it('names the field in the message', async () => {
        const { refresh_token: _ignored, ...rest } = tokenData;
        pool().intercept({ path: /^\/api\/v2\/token\/get\?/, method: 'GET' }).reply(200, envelope(rest));

        await expect(auth.getToken('code')).rejects.toMatchObject({
          code: 'tiktok_bad_response',
          message: "TikTok's token response to GET /api/v2/token/get is unusable: missing or invalid refresh_token.",
        });
      });
    });

    describe('when an expiry looks like a duration (604800)', () => {
      it('throws TikTokBadResponse instead of storing a 1970 expiry', async () => {
        pool()
          .intercept({ path: /^\/api\/v2\/token\/get\?/, method: 'GET' })
          .reply(200, envelope({ ...tokenData, access_token_expire_in: 604800 }));

        await expect(auth.getToken('code')).rejects.toMatchObject({
          code: 'tiktok_bad_response',
          message: "TikTok's token response to GET /api/v2/token/get is unusable: missing or invalid access_token_expire_in.",
        });
      });
    });

    describe('when TikTok answers a non-JSON body', () => {
      it('throws TikTokBadResponse', async () => {
        pool().intercept({ path: /^\/api\/v2\/token\/get\?/, method: 'GET' }).reply(200, '<html>oops</html>');

        const error = await auth.getToken('code').catch((e: unknown) => e);

        expect(error).toBeInstanceOf(TikTokBadResponse);
        expect(error).toMatchObject({
          code: 'tiktok_bad_response',
          message: 'TikTok answered GET /api/v2/token/get with HTTP 200 but no TikTok JSON envelope.',
        });
        expect(Object.keys(error as object)).not.toContain('response');
        expect((error as TikTokBadResponse).response).toStrictEqual({ status: 200, headers: {}, body: '[omitted]' });
      });
    });

    describe('when TikTok answers HTTP 429 with a JSON envelope', () => {
      it('reads the envelope and throws TikTokRateLimited', async () => {
        pool()
          .intercept({ path: /^\/api\/v2\/token\/get\?/, method: 'GET' })
          .reply(429, envelope(null, 36009002, 'Too many requests'));

        await expect(auth.getToken('code')).rejects.toMatchObject({
          name: 'TikTokRateLimited',
          code: 'tiktok_rate_limited',
          message: 'TikTok rate-limited GET /api/v2/token/get (36009002 "Too many requests").',
          httpStatus: 429,
          tiktok: { code: 36009002 },
        });
      });
    });

    describe('when TikTok does not answer within timeoutMs', () => {
      it('throws TikTokUnavailable naming the timeout', async () => {
        pool().intercept({ path: /^\/api\/v2\/token\/get\?/, method: 'GET' }).reply(200, envelope(tokenData)).delay(1000);

        const error = await auth.getToken('code').catch((e: unknown) => e);

        expect(error).toBeInstanceOf(TikTokUnavailable);
        expect(error).toMatchObject({
          code: 'tiktok_unavailable',
          message: 'TikTok did not answer GET /api/v2/token/get within 100 ms.',
        });
        expect((error as Error).cause).toMatchObject({ name: 'TimeoutError' });
      });
    });
  });

  describe('refreshToken', () => {
    describe('when TikTok answers code 0', () => {
      it('sends grant_type=refresh_token and returns the new token set', async () => {
        pool()
          .intercept({ path: /^\/api\/v2\/token\/refresh\?/, method: 'GET' })
          .reply(200, envelope({ ...tokenData, refresh_token: 'ROW_rotated' }));

        const tokens = await auth.refreshToken('ROW_refresh_token_value');

        expect(tokens.refreshToken).toBe('ROW_rotated');
        expect(tokens.accessTokenExpiresAt.toISOString()).toBe('2026-06-25T17:32:26.000Z');
        expect(queryOf(mock.requests[0]!.url)).toStrictEqual({
          app_key: appKey,
          app_secret: appSecret,
          refresh_token: 'ROW_refresh_token_value',
          grant_type: 'refresh_token',
        });
      });
    });

    describe('when TikTok answers 36004001', () => {
      it('throws TikTokGrantDead', async () => {
        pool()
          .intercept({ path: /^\/api\/v2\/token\/refresh\?/, method: 'GET' })
          .reply(200, envelope(null, 36004001, 'rt has expired'));

        const error = await auth.refreshToken('ROW_old').catch((e: unknown) => e);

        expect(error).toBeInstanceOf(TikTokGrantDead);
        expect(error).toMatchObject({
          code: 'tiktok_grant_dead',
          message: 'TikTok says the authorization can no longer be used for GET /api/v2/token/refresh (36004001 "rt has expired").',
          entry: { kind: 'grant_dead' },
        });
      });
    });

    describe('when TikTok answers 36004005', () => {
      it('throws TikTokGrantDead', async () => {
        pool()
          .intercept({ path: /^\/api\/v2\/token\/refresh\?/, method: 'GET' })
          .reply(200, envelope(null, 36004005, 'can not find related auth record'));

        await expect(auth.refreshToken('ROW_old')).rejects.toMatchObject({
          name: 'TikTokGrantDead',
          code: 'tiktok_grant_dead',
          message:
            'TikTok says the authorization can no longer be used for GET /api/v2/token/refresh (36004005 "can not find related auth record").',
        });
      });
    });
  });

  describe('identity and expiry edge cases', () => {
    it('refuses a token get that does not say who authorized (no open_id)', async () => {
      const { open_id: _omitted, ...anonymous } = tokenData;
      pool().intercept({ path: /^\/api\/v2\/token\/get\?/, method: 'GET' }).reply(200, envelope(anonymous));
      const error = await auth.getToken('code').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TikTokBadResponse);
      expect((error as Error).message).toBe("TikTok's token response to GET /api/v2/token/get is unusable: missing or invalid open_id.");
    });

    it('keeps a refresh whose answer leaves out open_id and user_type (the new refresh token must not be lost)', async () => {
      const { open_id: _o, user_type: _u, ...grantOnly } = tokenData;
      pool().intercept({ path: /^\/api\/v2\/token\/refresh\?/, method: 'GET' }).reply(200, envelope(grantOnly));
      const tokens = await auth.refreshToken('ROW_old_refresh');
      expect(tokens).toMatchObject({ accessToken: 'ROW_access_token_value', refreshToken: 'ROW_refresh_token_value', openId: '' });
    });

    it('clamps a "never expires" value beyond year 9999 to a storable date', async () => {
      pool().intercept({ path: /^\/api\/v2\/token\/refresh\?/, method: 'GET' }).reply(200, envelope({ ...tokenData, refresh_token_expire_in: 10_000_000_000_000 }));
      const tokens = await auth.refreshToken('ROW_old_refresh');
      expect(tokens.refreshTokenExpiresAt.toISOString()).toBe('9999-12-31T23:59:59.000Z');
    });
  });
});
