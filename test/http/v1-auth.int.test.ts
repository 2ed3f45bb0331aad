import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiScopes, type ApiScope } from '../../src/apps/scopes.js';
import { httpErrors } from '../../src/http/errors.js';
import { createClient } from '../apps/support.js';
import { FakeClock } from '../support/clock.js';
import { startTestService, type TestService } from '../support/service.js';

/** Every refusal of /v1 before any work is done: the key, its scopes and shops, and its limits. */
describe('API keys on /v1', () => {
  let service: TestService;
  let key: string;
  const shopId = '7000000000000000001';
  const tokenPath = `/v1/shops/${shopId}/token`;

  // Half past a minute, so a test never straddles a rate-limit window.
  const start = '2026-11-23T10:00:30.000Z';
  const clock = new FakeClock(start);

  beforeAll(async () => {
    service = await startTestService({}, { clock });
    ({ key } = await createClient(service));
  });
  afterAll(async () => {
    await service?.stop();
  });

  async function refusal(path: string, headers: Record<string, string>, init: RequestInit = {}) {
    const response = await service.request(path, { ...init, headers: { 'x-request-id': 'req-0000001', ...headers } });
    return { status: response.status, body: (await response.json()) as Record<string, unknown>, headers: response.headers };
  }

  const error = (code: keyof typeof httpErrors, message: string, hint: string = httpErrors[code].hint) => ({
    success: false, error: message, code, hint, requestId: 'req-0000001',
  });

  describe('without a key', () => {
    it('responds 401 api_key_missing', async () => {
      expect(await refusal(tokenPath, {})).toMatchObject({ status: 401, body: error('api_key_missing', 'No API key was sent.') });
    });

    it('never takes a key from the query string, and says so', async () => {
      const { status, body } = await refusal(`${tokenPath}?api_key=${key}`, {});
      expect(status).toBe(401);
      expect(body).toStrictEqual(
        error('api_key_missing', 'No API key was sent.', 'Keys in the URL are never accepted (URLs end up in logs). Send the key as `X-API-Key: <key>` or `Authorization: Bearer <key>`.'),
      );
    });
  });

  describe('with a malformed header', () => {
    const useOneOf = 'Send the key as `X-API-Key: <key>` or `Authorization: Bearer <key>`.';
    const authorizationWhitespace =
      'Write `Authorization: Bearer <key>` with exactly one space after "Bearer", and the key as one unbroken token (copy it without spaces or line breaks).';
    const cases: [string, Record<string, string>, string, string][] = [
      ['Authorization: <key> without Bearer', { authorization: 'KEY' }, 'The Authorization header has no "Bearer " scheme.',
        'Write `Authorization: Bearer <key>` (the word Bearer, one space, then the key), not `Authorization: <key>`; or use `X-API-Key: <key>`.'],
      ['another scheme', { authorization: 'Basic KEY' }, 'The Authorization header uses the "Basic" scheme.',
        'Only Bearer is accepted: `Authorization: Bearer <key>`, or `X-API-Key: <key>`.'],
      ['the key where the scheme goes, something after it', { authorization: 'KEY Bearer' }, 'The Authorization header uses the key in place of a scheme.',
        'Only Bearer is accepted: `Authorization: Bearer <key>`, or `X-API-Key: <key>`.'],
      ['a scheme that is not a word', { authorization: 'abc123def456ghi789 KEY' }, 'The Authorization header uses an unknown scheme.',
        'Only Bearer is accepted: `Authorization: Bearer <key>`, or `X-API-Key: <key>`.'],
      ['a colon after Bearer', { authorization: 'Bearer: KEY' }, 'The Authorization header has a colon after "Bearer".',
        'Write `Authorization: Bearer <key>`: the word Bearer, one space, then the key (no colon).'],
      ['two spaces after Bearer', { authorization: 'Bearer  KEY' }, 'The Authorization header has stray whitespace around or inside the key.', authorizationWhitespace],
      ['a tab after Bearer', { authorization: 'Bearer\tKEY' }, 'The Authorization header has stray whitespace around or inside the key.', authorizationWhitespace],
      ['whitespace inside the key after Bearer', { authorization: 'Bearer KEY tail' }, 'The Authorization header has stray whitespace around or inside the key.', authorizationWhitespace],
      ['whitespace inside the key', { 'x-api-key': 'KEY tail' }, 'The X-API-Key header has stray whitespace around or inside the key.',
        'Send the key as one unbroken token, nothing else in the header (copy it without spaces or line breaks).'],
      ['X-API-Key: Bearer <key>', { 'x-api-key': 'Bearer KEY' }, 'The X-API-Key header starts with "Bearer".',
        'X-API-Key takes the bare key: `X-API-Key: <key>`. The Bearer scheme belongs in the other header: `Authorization: Bearer <key>`.'],
      ['X-API-Key: bearer <key> (any case)', { 'x-api-key': 'bearer KEY' }, 'The X-API-Key header starts with "Bearer".',
        'X-API-Key takes the bare key: `X-API-Key: <key>`. The Bearer scheme belongs in the other header: `Authorization: Bearer <key>`.'],
      ['the header name repeated in the value', { 'x-api-key': 'X-API-Key: KEY' }, 'The X-API-Key header value repeats the header name.',
        'Put only the key in the value: the header is `X-API-Key`, its value `<key>`.'],
      ['two keys in X-API-Key', { 'x-api-key': 'KEY, KEY' }, 'The X-API-Key header carries more than one value.', 'Send one X-API-Key header with one key.'],
      ['quotes around the key', { 'x-api-key': '"KEY"' }, 'The key in X-API-Key is wrapped in quotes.', 'Send the key without quotation marks around it.'],
      ['quotes after Bearer', { authorization: "Bearer 'KEY'" }, 'The key in Authorization is wrapped in quotes.', 'Send the key without quotation marks around it.'],
      ['Bearer with no key', { authorization: 'Bearer' }, 'Authorization: Bearer carries no key.', 'Put the key after "Bearer ": `Authorization: Bearer <key>`.'],
      ['an empty X-API-Key', { 'x-api-key': '' }, 'The X-API-Key header carries no key.', useOneOf],
      ['an empty Authorization', { authorization: '' }, 'The Authorization header is empty.', useOneOf],
      ['both headers disagreeing', { 'x-api-key': 'KEY', authorization: 'Bearer tsc_000000000000_other' }, 'X-API-Key and Authorization carry different keys.',
        'Send the key in one header only (X-API-Key or Authorization: Bearer), or the same key in both.'],
    ];
    for (const [name, headers, message, hint] of cases) {
      it(`responds 401 api_key_malformed naming the problem: ${name}`, async () => {
        const concrete = Object.fromEntries(Object.entries(headers).map(([header, value]) => [header, value.replaceAll('KEY', key)]));
        const { status, body } = await refusal(tokenPath, concrete);
        expect(status).toBe(401);
        expect(body).toStrictEqual(error('api_key_malformed', message, hint));
      });
    }

    it('accepts the same key in both headers, any header-name case and a lowercase bearer', async () => {
      const { status, body } = await refusal(tokenPath, { 'X-Api-KEY': key, Authorization: `bearer ${key}` });
      expect(status).toBe(404);
      expect(body.code).toBe('shop_not_found');
    });
  });

  describe('with an unknown, forged or revoked key', () => {
    const unknownOrRevoked = 'The API key is unknown or has been revoked.';

    it('responds 401 api_key_invalid for a key this service never issued', async () => {
      const { status, body } = await refusal(tokenPath, { 'x-api-key': 'tsc_0123456789ab_' + 'A'.repeat(43) });
      expect(status).toBe(401);
      expect(body).toStrictEqual(error('api_key_invalid', unknownOrRevoked));
    });

    it('responds 401 api_key_invalid for a right prefix with a wrong secret, saying no more than for an unknown key', async () => {
      const forged = key.slice(0, -4) + (key.endsWith('AAAA') ? 'BBBB' : 'AAAA');
      const { status, body } = await refusal(tokenPath, { authorization: `Bearer ${forged}` });
      expect(status).toBe(401);
      expect(body).toStrictEqual(
        error('api_key_invalid', unknownOrRevoked, 'The key is unknown or revoked; ask an operator for a new one (npm run cli -- api-clients create).'),
      );
    });

    it('responds 401 api_key_invalid for something that is not shaped like a key', async () => {
      const { status, body } = await refusal(tokenPath, { 'x-api-key': 'my-password' });
      expect(status).toBe(401);
      expect(body).toStrictEqual(error('api_key_invalid', 'The API key is not valid.'));
    });

    describe('revocation (api-clients revoke)', () => {
      const operator = () => service.core.operator.apiClients;

      it('refuses a key revoked before this process saw it at once', async () => {
        const { id, key: revoked } = await createClient(service);
        await operator().revoke(id);
        expect(await refusal(tokenPath, { 'x-api-key': revoked })).toMatchObject({ status: 401, body: error('api_key_invalid', unknownOrRevoked) });
      });

      it('refuses a key in use within 5 seconds of its revocation (the verifier cache), on every later call', async () => {
        const { id, key: inUse } = await createClient(service);
        try {
          expect((await refusal(tokenPath, { 'x-api-key': inUse })).status).toBe(404);
          await operator().revoke(id);
          clock.advance(4_999);
          // The documented bound: a replica may still accept the key until its cached check is 5 s old.
          expect((await refusal(tokenPath, { 'x-api-key': inUse })).status).toBe(404);
          clock.advance(1);
          expect(await refusal(tokenPath, { 'x-api-key': inUse })).toMatchObject({ status: 401, body: error('api_key_invalid', unknownOrRevoked) });
          expect(await refusal(tokenPath, { authorization: `Bearer ${inUse}` })).toMatchObject({ status: 401, body: error('api_key_invalid', unknownOrRevoked) });
        } finally {
          clock.set(start);
        }
      });
    });
  });

  describe('scopes and shops', () => {
    const scopeForbidden = (scope: ApiScope) => error('scope_forbidden', `This API key lacks the "${scope}" scope.`, 'Ask an operator for a key with this scope.');
    const json = { 'content-type': 'application/json' };
    // Every route that needs a scope, called by a key holding every other scope.
    const routes: [string, string, ApiScope, RequestInit][] = [
      ['POST', '/v1/connect-sessions', 'connect', { body: JSON.stringify({ merchantRef: 'm-1' }), headers: json }],
      ['GET', '/v1/connections', 'connections:read', {}],
      ['GET', '/v1/connections/{id}', 'connections:read', {}],
      ['GET', '/v1/events', 'connections:read', {}],
      ['GET', '/v1/shops/{shopId}/token', 'tokens:read', {}],
      ['POST', '/v1/shops/{shopId}/sign', 'sign', { body: JSON.stringify({ method: 'GET', path: '/order/202309/orders' }), headers: json }],
      ['GET', '/v1/shops/{shopId}/proxy/{path}', 'proxy', {}],
      ['POST', '/v1/shops/{shopId}/proxy/{path}', 'proxy', { body: '{}', headers: json }],
      ['PUT', '/v1/shops/{shopId}/proxy/{path}', 'proxy', { body: '{}', headers: json }],
      ['DELETE', '/v1/shops/{shopId}/proxy/{path}', 'proxy', { body: '{"product_ids":["1"]}', headers: json }],
      ['POST', '/v1/webhook-subscriptions', 'webhooks:manage', { body: JSON.stringify({ url: 'http://127.0.0.1:9/x', events: ['*'] }), headers: json }],
      ['GET', '/v1/webhook-subscriptions', 'webhooks:manage', {}],
      ['GET', '/v1/webhook-subscriptions/{id}', 'webhooks:manage', {}],
      ['PATCH', '/v1/webhook-subscriptions/{id}', 'webhooks:manage', { body: '{"status":"paused"}', headers: json }],
      ['DELETE', '/v1/webhook-subscriptions/{id}', 'webhooks:manage', {}],
      ['POST', '/v1/webhook-subscriptions/{id}/rotate-secret', 'webhooks:manage', {}],
      ['GET', '/v1/webhook-subscriptions/{id}/deliveries', 'webhooks:manage', {}],
      ['POST', '/v1/webhook-subscriptions/{id}/replay', 'webhooks:manage', { body: '{"deadLetters":true}', headers: json }],
    ];
    const concrete = (path: string) =>
      path.replace('{id}', '00000000-0000-4000-8000-000000000000').replace('{shopId}', shopId).replace('{path}', 'product/202309/products');

    for (const [method, path, scope, init] of routes) {
      it(`responds 403 scope_forbidden on ${method} ${path} for a key without ${scope}`, async () => {
        const { key: lacking } = await createClient(service, { scopes: apiScopes.filter((other) => other !== scope) });
        const { status, body } = await refusal(concrete(path), { 'x-api-key': lacking, ...(init.headers as Record<string, string>) }, { ...init, method });
        expect(status).toBe(403);
        expect(body).toStrictEqual(scopeForbidden(scope));
      });
    }

    it('covers every route that /openapi.json says needs a scope', async () => {
      const document = (await (await service.request('/openapi.json')).json()) as { paths: Record<string, Record<string, { 'x-required-scope'?: string }>> };
      const scoped = Object.entries(document.paths).flatMap(([path, operations]) =>
        Object.entries(operations).flatMap(([method, operation]) => (operation['x-required-scope'] ? [`${method.toUpperCase()} ${path} ${operation['x-required-scope']}`] : [])),
      );
      expect(scoped.sort()).toStrictEqual(routes.map(([method, path, scope]) => `${method} ${path} ${scope}`).sort());
    });

    it('responds 403 shop_forbidden for a key limited to other shops', async () => {
      const { key: limited } = await createClient(service, { shopIds: ['7000000000000000999'] });
      const { status, body } = await refusal(tokenPath, { 'x-api-key': limited });
      expect(status).toBe(403);
      expect(body).toStrictEqual(error('shop_forbidden', 'This API key is not allowed to use shop 7000000000000000001.'));
    });

    it('responds 404 shop_not_found for an unknown shop, distinct from route_not_found', async () => {
      expect(await refusal(tokenPath, { 'x-api-key': key })).toMatchObject({
        status: 404,
        body: error('shop_not_found', 'No connected shop has id 7000000000000000001.'),
      });
      expect(await refusal('/v1/shops/7000000000000000001/tokens', { 'x-api-key': key })).toMatchObject({
        status: 404,
        body: error('route_not_found', 'No route GET /v1/shops/7000000000000000001/tokens.'),
      });
    });
  });

  describe('rate limits', () => {
    const minuteEnd = String(Date.parse('2026-11-23T10:01:00.000Z') / 1000);
    const rateLimitHeaders = (headers: Headers) => ['limit', 'remaining', 'reset'].map((name) => headers.get(`x-ratelimit-${name}`));

    it('answers X-RateLimit-* and then 429 rate_limited with Retry-After past the per-minute limit', async () => {
      const { key: slow } = await createClient(service, { rateLimitPerMinute: 2 });
      const first = await refusal(tokenPath, { 'x-api-key': slow });
      expect(rateLimitHeaders(first.headers)).toStrictEqual(['2', '1', minuteEnd]);
      expect((await refusal(tokenPath, { 'x-api-key': slow })).headers.get('x-ratelimit-remaining')).toBe('0');
      const limited = await refusal(tokenPath, { 'x-api-key': slow });
      expect(limited.status).toBe(429);
      expect(limited.body).toStrictEqual(error('rate_limited', 'Too many requests: this API key may make 2 requests per minute.'));
      expect(limited.headers.get('retry-after')).toBe('30');
      expect(rateLimitHeaders(limited.headers)).toStrictEqual(['2', '0', minuteEnd]);
    });

    it('answers 429 quota_exhausted past the daily quota with Retry-After, X-Quota-* and the minute window in X-RateLimit-*', async () => {
      const { key: quota } = await createClient(service, { dailyQuota: 1, rateLimitPerMinute: 5 });
      expect((await refusal(tokenPath, { 'x-api-key': quota })).status).toBe(404);
      const { status, body, headers } = await refusal(tokenPath, { 'x-api-key': quota });
      expect(status).toBe(429);
      expect(body).toStrictEqual(
        error(
          'quota_exhausted',
          'This API key has used its daily quota of 1 requests; it resets at 2026-11-24T00:00:00.000Z.',
          'The quota for this key is used up until it resets (see Retry-After); ask an operator for a larger quota.',
        ),
      );
      expect(headers.get('retry-after')).toBe(String(14 * 3600 - 30));
      expect([headers.get('x-quota-limit'), headers.get('x-quota-remaining'), headers.get('x-quota-reset')]).toStrictEqual([
        '1', '0', String(Date.parse('2026-11-24T00:00:00.000Z') / 1000),
      ]);
      // The refused call is not counted against the minute: 1 of 5 used.
      expect(rateLimitHeaders(headers)).toStrictEqual(['5', '4', minuteEnd]);
    });
  });
});
