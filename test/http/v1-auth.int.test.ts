import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpErrors } from '../../src/http/errors.js';
import { createClient } from '../apps/support.js';
import { FakeClock } from '../support/clock.js';
import { startTestService, type TestService } from '../support/service.js';

/** Every refusal of /v1 before any work is done: the key, its scopes and shops, and its limits. */
describe('API keys on /v1', () => {
  let service: TestService;
  let key: string;
  const tokenPath = '/v1/shops/7000000000000000001/token';

  // Half past a minute, so a test never straddles a rate-limit window.
  const clock = new FakeClock('2026-11-23T10:00:30.000Z');

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
    const cases: [string, Record<string, string>, string, string][] = [
      ['Authorization: <key> without Bearer', { authorization: 'KEY' }, 'The Authorization header has no "Bearer " scheme.',
        'Write `Authorization: Bearer <key>` (the word Bearer, one space, then the key), not `Authorization: <key>`; or use `X-API-Key: <key>`.'],
      ['another scheme', { authorization: 'Basic KEY' }, 'The Authorization header uses the "Basic" scheme.',
        'Only Bearer is accepted: `Authorization: Bearer <key>`, or `X-API-Key: <key>`.'],
      ['two spaces after Bearer', { authorization: 'Bearer  KEY' }, 'The Authorization header has stray whitespace around or inside the key.',
        'Send the key as one unbroken token, with exactly one space after "Bearer" (copy it without line breaks).'],
      ['whitespace inside the key', { 'x-api-key': 'KEY tail' }, 'The X-API-Key header has stray whitespace around or inside the key.',
        'Send the key as one unbroken token, with exactly one space after "Bearer" (copy it without line breaks).'],
      ['quotes around the key', { 'x-api-key': '"KEY"' }, 'The key in X-API-Key is wrapped in quotes.', 'Send the key without quotation marks around it.'],
      ['quotes after Bearer', { authorization: "Bearer 'KEY'" }, 'The key in Authorization is wrapped in quotes.', 'Send the key without quotation marks around it.'],
      ['Bearer with no key', { authorization: 'Bearer' }, 'Authorization: Bearer carries no key.', 'Put the key after "Bearer ": `Authorization: Bearer <key>`.'],
      ['both headers disagreeing', { 'x-api-key': 'KEY', authorization: 'Bearer tsc_000000000000_other' }, 'X-API-Key and Authorization carry different keys.',
        'Send the key in one header only (X-API-Key or Authorization: Bearer), or the same key in both.'],
    ];
    for (const [name, headers, message, hint] of cases) {
      it(`responds 401 api_key_malformed naming the problem: ${name}`, async () => {
        const concrete = Object.fromEntries(Object.entries(headers).map(([header, value]) => [header, value.replace('KEY', key)]));
        const { status, body } = await refusal(tokenPath, concrete);
        expect(status).toBe(401);
        expect(body).toStrictEqual(error('api_key_malformed', message, hint));
      });
    }
  });

  describe('with an unknown or revoked key', () => {
    it('responds 401 api_key_invalid for a key this service never issued', async () => {
      const { status, body } = await refusal(tokenPath, { 'x-api-key': 'tsc_0123456789ab_' + 'A'.repeat(43) });
      expect(status).toBe(401);
      expect(body).toStrictEqual(error('api_key_invalid', 'The API key is unknown or has been revoked.'));
    });

    it('responds 401 api_key_invalid for a right prefix with a wrong secret', async () => {
      const forged = key.slice(0, -4) + (key.endsWith('AAAA') ? 'BBBB' : 'AAAA');
      expect((await refusal(tokenPath, { authorization: `Bearer ${forged}` })).status).toBe(401);
    });

    it('accepts the same key in both headers, any header-name case', async () => {
      const { status, body } = await refusal(tokenPath, { 'X-Api-KEY': key, Authorization: `bearer ${key}` });
      expect(status).toBe(404);
      expect(body.code).toBe('shop_not_found');
    });
  });

  describe('scopes and shops', () => {
    it('responds 403 scope_forbidden for a key without the scope', async () => {
      const { key: narrow } = await createClient(service, { scopes: ['connections:read'] });
      const { status, body } = await refusal(tokenPath, { 'x-api-key': narrow });
      expect(status).toBe(403);
      expect(body).toStrictEqual(error('scope_forbidden', 'This API key lacks the "tokens:read" scope.'));
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
    it('answers X-RateLimit-* and then 429 rate_limited with Retry-After past the per-minute limit', async () => {
      const { key: slow } = await createClient(service, { rateLimitPerMinute: 2 });
      const first = await refusal(tokenPath, { 'x-api-key': slow });
      expect(first.headers.get('x-ratelimit-limit')).toBe('2');
      expect(first.headers.get('x-ratelimit-remaining')).toBe('1');
      expect(first.headers.get('x-ratelimit-reset')).toBe(String(Date.parse('2026-11-23T10:01:00.000Z') / 1000));
      expect((await refusal(tokenPath, { 'x-api-key': slow })).headers.get('x-ratelimit-remaining')).toBe('0');
      const limited = await refusal(tokenPath, { 'x-api-key': slow });
      expect(limited.status).toBe(429);
      expect(limited.body).toStrictEqual(error('rate_limited', 'Too many requests: this API key may make 2 requests per minute.'));
      expect(limited.headers.get('retry-after')).toBe('30');
      expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    });

    it('answers 429 quota_exhausted, with another message, past the daily quota', async () => {
      const { key: quota } = await createClient(service, { dailyQuota: 1 });
      expect((await refusal(tokenPath, { 'x-api-key': quota })).status).toBe(404);
      const { status, body, headers } = await refusal(tokenPath, { 'x-api-key': quota });
      expect(status).toBe(429);
      expect(body.code).toBe('quota_exhausted');
      expect(body.error).toBe('This API key has used its daily quota of 1 requests; it resets at 2026-11-24T00:00:00.000Z.');
      expect(body.hint).toBe(httpErrors.quota_exhausted.hint);
      expect(headers.get('retry-after')).toBe(String(14 * 3600 - 30));
      expect([headers.get('x-quota-limit'), headers.get('x-quota-remaining'), headers.get('x-quota-reset')]).toStrictEqual([
        '1', '0', String(Date.parse('2026-11-24T00:00:00.000Z') / 1000),
      ]);
    });
  });

  describe('oversized requests', () => {
    it('responds 414 with a hint to use POST with a JSON body', async () => {
      const { status, body } = await refusal(`${tokenPath}?q=${'x'.repeat(9000)}`, { 'x-api-key': key });
      expect(status).toBe(414);
      expect(body.code).toBe('uri_too_long');
      expect(body.hint).toBe('The URL is too long: send the data with POST in a JSON body instead of the query string.');
    });

    it('responds 413 for a body over 1 MB', async () => {
      const { status, body } = await refusal('/v1/shops/7000000000000000001/sign', { 'x-api-key': key, 'content-type': 'application/json' }, {
        method: 'POST',
        body: JSON.stringify({ method: 'POST', path: '/x', body: 'y'.repeat(1_100_000) }),
      });
      expect(status).toBe(413);
      expect(body.code).toBe('payload_too_large');
    });
  });
});
