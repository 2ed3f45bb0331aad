import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApiClient } from '../../src/tiktok/api-client.js';
import { createAuthClient } from '../../src/tiktok/auth-client.js';
import { fakeTime, mockTikTok } from './support/mock-tiktok.js';
import { loadScopeIndex } from '../../src/tiktok/scopes.js';

const scopes = loadScopeIndex();

const appSecret = 'SUPER_SECRET_app_secret_123';
const accessToken = 'TTP_leaky_access_token_456';
const refreshToken = 'TTP_leaky_refresh_token_789';
const authCode = 'ROW_leaky_auth_code_000';
const secrets = [appSecret, accessToken, refreshToken, authCode];

/** TikTok echoing secrets back in its message, as a worst case. */
const echo = `echo ${appSecret} ${accessToken} ${refreshToken} ${authCode}`;

describe('errors thrown by the TikTok clients', () => {
  let mock: ReturnType<typeof mockTikTok>;
  beforeEach(() => {
    mock = mockTikTok();
  });
  afterEach(async () => {
    mock.agent.assertNoPendingInterceptors();
    await mock.agent.close();
  });

  const auth = () => createAuthClient({ fetch: mock.fetch, authBaseUrl: 'https://auth.tiktok-shops.com', appKey: 'k', appSecret, timeoutMs: 100 });
  const api = () =>
    createApiClient({ scopes, fetch: mock.fetch, apiBaseUrl: 'https://open-api.tiktokglobalshop.com', appKey: 'k', appSecret, clock: fakeTime().clock, maxAttempts: 1 });
  const authPool = () => mock.agent.get('https://auth.tiktok-shops.com');
  const apiPool = () => mock.agent.get('https://open-api.tiktokglobalshop.com');

  const scenarios: [string, () => Promise<unknown>][] = [
    [
      'a token-get refusal that echoes the secrets',
      () => {
        authPool().intercept({ path: /token\/get/, method: 'GET' }).reply(200, { code: 36004004, message: echo, request_id: 'r' });
        return auth().getToken(authCode);
      },
    ],
    [
      'a refresh answer with tokens but no refresh expiry',
      () => {
        authPool()
          .intercept({ path: /token\/refresh/, method: 'GET' })
          .reply(200, { code: 0, message: 'ok', data: { access_token: accessToken, refresh_token: refreshToken, access_token_expire_in: 1782408746, open_id: 'o', user_type: 0 } });
        return auth().refreshToken(refreshToken);
      },
    ],
    [
      'a non-JSON token answer that contains the secrets',
      () => {
        authPool().intercept({ path: /token\/get/, method: 'GET' }).reply(500, `<pre>${echo}</pre>`);
        return auth().getToken(authCode);
      },
    ],
    [
      'a network failure on the token endpoint',
      () => {
        authPool().intercept({ path: /token\/get/, method: 'GET' }).replyWithError(new Error('socket hang up'));
        return auth().getToken(authCode);
      },
    ],
    [
      'an open API 105002 that echoes the token',
      () => {
        apiPool().intercept({ path: /orders/, method: 'GET' }).reply(401, { code: 105002, message: echo, request_id: 'r' });
        return api().call({ method: 'GET', path: '/order/202309/orders', accessToken, shopCipher: 'c' });
      },
    ],
    [
      'an open API 105005 that echoes the token',
      () => {
        apiPool().intercept({ path: /statements/, method: 'GET' }).reply(200, { code: 105005, message: echo, request_id: 'r' });
        return api().call({ method: 'GET', path: '/finance/202309/statements', accessToken, shopCipher: 'c' });
      },
    ],
  ];

  describe.each(scenarios)('after %s', (_name, run) => {
    it('never carry the app secret, a token or the auth code in message, JSON or tiktok detail', async () => {
      const error = await run().then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(error).toBeInstanceOf(Error);
      const visible = [error!.message, JSON.stringify(error), String(error), error!.stack ?? ''].join('\n');
      for (const secret of secrets) expect(visible).not.toContain(secret);
    });
  });
});
