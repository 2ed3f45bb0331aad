import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../apps/support.js';
import { startTestService, type TestService } from '../support/service.js';

/** Requests the API cannot take as sent: too big, not JSON, not valid JSON, or invalid fields. */
describe('request shape refusals on /v1', () => {
  let service: TestService;
  let key: string;
  const shopId = '7000000000000000001';
  const json = { 'content-type': 'application/json' };

  beforeAll(async () => {
    service = await startTestService();
    ({ key } = await createClient(service, { rateLimitPerMinute: 1000 }));
  });
  afterAll(async () => {
    await service?.stop();
  });

  async function send(path: string, init: RequestInit & { headers?: Record<string, string> } = {}) {
    const response = await service.request(path, {
      ...init,
      headers: { 'x-api-key': key, 'x-request-id': 'req-0000002', accept: 'application/json', ...init.headers },
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  const error = (code: string, message: string, hint: string) => ({ success: false, error: message, code, hint, requestId: 'req-0000002' });

  describe('a body over the limit', () => {
    const jsonHint = 'Send a smaller JSON body (at most 1 MB) with POST; split a large batch into several requests.';

    it('responds 413 payload_too_large with a hint to send a smaller JSON body with POST (sign)', async () => {
      const body = JSON.stringify({ method: 'POST', path: '/x', body: 'y'.repeat(1_100_000) });
      expect(await send(`/v1/shops/${shopId}/sign`, { method: 'POST', headers: json, body })).toStrictEqual({
        status: 413,
        body: error('payload_too_large', `The request body is ${Buffer.byteLength(body)} bytes; the limit is 1 MB.`, jsonHint),
      });
    });

    it('responds the same on the proxy and on connect sessions', async () => {
      const body = JSON.stringify({ product_ids: Array.from({ length: 60_000 }, (_, index) => `17${String(index).padStart(17, '0')}`) });
      expect(Buffer.byteLength(body)).toBeGreaterThan(1024 * 1024);
      for (const [method, path] of [['DELETE', `/v1/shops/${shopId}/proxy/product/202309/products`], ['POST', '/v1/connect-sessions']] as const) {
        expect(await send(path, { method, headers: json, body }), path).toStrictEqual({
          status: 413,
          body: error('payload_too_large', `The request body is ${Buffer.byteLength(body)} bytes; the limit is 1 MB.`, jsonHint),
        });
      }
    });

    it('gives a form its own limit and hint', async () => {
      const body = new URLSearchParams({ note: 'x'.repeat(70_000) }).toString();
      const { status, body: answer } = await send('/connect/some-token/authorize', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
      expect(status).toBe(413);
      expect(answer).toMatchObject({ code: 'payload_too_large', error: `The request body is ${body.length} bytes; the limit is 64 KB.`, hint: 'Send a smaller form (at most 64 KB).' });
    });
  });

  describe('a URL over the limit', () => {
    it('responds 414 uri_too_long with a hint to use POST with a JSON body', async () => {
      const url = `/v1/connections?merchantRef=${'a'.repeat(9000)}`;
      expect(await send(url)).toStrictEqual({
        status: 414,
        body: error(
          'uri_too_long',
          `The URL is ${url.length} characters long; the limit is 8192.`,
          'The URL is too long: send the data with POST in a JSON body instead of the query string.',
        ),
      });
    });
  });

  describe('a body that is not JSON', () => {
    const hint = 'Send the body as JSON with Content-Type: application/json.';
    const proxyPath = `/v1/shops/${shopId}/proxy/product/202309/products`;

    for (const method of ['PUT', 'DELETE']) {
      it(`responds 415 unsupported_media_type to a text/plain body on ${method} …/proxy`, async () => {
        expect(await send(proxyPath, { method, headers: { 'content-type': 'text/plain' }, body: '{"product_ids":["1"]}' })).toStrictEqual({
          status: 415,
          body: error('unsupported_media_type', 'The request body is text/plain; only JSON bodies are accepted.', hint),
        });
      });
    }

    // POST takes uploads too (multipart/form-data, issue #11 item 4), and says so.
    const uploadHint = 'Send the body with Content-Type: application/json, or a file upload with Content-Type: multipart/form-data (boundary included).';
    it('responds 415 unsupported_media_type to a text/plain body on POST …/proxy, naming both accepted types', async () => {
      expect(await send(proxyPath, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"product_ids":["1"]}' })).toStrictEqual({
        status: 415,
        body: error('unsupported_media_type', 'The request body is text/plain; send JSON (application/json) or an upload (multipart/form-data).', uploadHint),
      });
    });

    it('responds 415 to a form and to a body without Content-Type on the proxy', async () => {
      expect(await send(proxyPath, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1' })).toStrictEqual({
        status: 415,
        body: error('unsupported_media_type', 'The request body is application/x-www-form-urlencoded; send JSON (application/json) or an upload (multipart/form-data).', uploadHint),
      });
      expect(await send(proxyPath, { method: 'POST', body: new TextEncoder().encode('{}') })).toStrictEqual({
        status: 415,
        body: error('unsupported_media_type', 'The request body has no Content-Type; send JSON (application/json) or an upload (multipart/form-data).', uploadHint),
      });
    });

    it('responds 415 to a text/plain body on sign', async () => {
      const body = JSON.stringify({ method: 'GET', path: '/order/202309/orders' });
      expect(await send(`/v1/shops/${shopId}/sign`, { method: 'POST', headers: { 'content-type': 'text/plain; charset=utf-8' }, body })).toStrictEqual({
        status: 415,
        body: error('unsupported_media_type', 'The request body is text/plain; only JSON bodies are accepted.', hint),
      });
    });

    it('responds 415 to a text/plain body on connect-sessions', async () => {
      expect(await send('/v1/connect-sessions', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"merchantRef":"m-1"}' })).toStrictEqual({
        status: 415,
        body: error('unsupported_media_type', 'The request body is text/plain; only JSON bodies are accepted.', hint),
      });
    });

    it('still asks for the key first', async () => {
      const { status, body } = await send(proxyPath, { method: 'POST', headers: { 'x-api-key': '', 'content-type': 'text/plain' }, body: 'hello' });
      expect(status).toBe(401);
      expect(body.code).toBe('api_key_malformed');
    });
  });

  describe('a body on a proxied GET', () => {
    it('responds 400 validation_failed: TikTok would never see it', async () => {
      // fetch refuses to send a GET with a body; undici's request sends what it is given.
      const response = await request(`${service.url}/v1/shops/${shopId}/proxy/order/202309/orders?ids=1`, {
        method: 'GET',
        headers: { ...json, 'x-api-key': key, 'x-request-id': 'req-0000002' },
        body: '{"ids":["1"]}',
      });
      expect({ status: response.statusCode, body: await response.body.json() }).toStrictEqual({
        status: 400,
        body: expect.objectContaining(
          error(
            'validation_failed',
            'A GET request carries no body, and this one has one; it would not reach TikTok.',
            'Send the parameters in the query string, or use POST for a TikTok endpoint that takes a JSON body.',
          ),
        ),
      });
    });
  });

  describe('a body that is a bare JSON value', () => {
    it('responds 400 malformed_json saying a body must be an object', async () => {
      for (const body of ['"order"', '42', 'true']) {
        expect(await send(`/v1/shops/${shopId}/proxy/order/202309/orders/search`, { method: 'POST', headers: json, body })).toStrictEqual({
          status: 400,
          body: error(
            'malformed_json',
            'The request body is a bare JSON value; it must be a JSON object (or array).',
            'Wrap the value in an object, e.g. {"field": value}, and send it with Content-Type: application/json.',
          ),
        });
      }
    });
  });

  describe('a body that is not valid JSON', () => {
    it('responds 400 malformed_json on the proxy', async () => {
      expect(await send(`/v1/shops/${shopId}/proxy/order/202309/orders/search`, { method: 'POST', headers: json, body: '{"order_status": ' })).toStrictEqual({
        status: 400,
        body: error('malformed_json', 'The request body is not valid JSON.', 'Send a valid JSON body with Content-Type: application/json.'),
      });
    });
  });

  describe('POST /v1/shops/:shopId/sign with invalid fields', () => {
    const sign = (body: unknown) => send(`/v1/shops/${shopId}/sign`, { method: 'POST', headers: json, body: JSON.stringify(body) });
    const invalid = (field: string, message: string) => ({
      status: 400,
      body: error('validation_failed', `Invalid ${field}: ${message}`, `Fix ${field} as the message says, and send the request again.`),
    });
    const tiktokPath = 'must be a TikTok API path such as /order/202309/orders/search (letters, digits, _ - . ~ and /)';
    const reserved = 'leave it out: app_key, timestamp and sign are added by the service, the token goes in a header, and the API version is in the path';

    it('responds 400 naming body.method for a method TikTok does not take', async () => {
      expect(await sign({ method: 'FETCH', path: '/order/202309/orders' })).toStrictEqual(invalid('body.method', 'must be GET, POST, PUT, DELETE or PATCH'));
    });

    it('responds 400 naming body.path for a path not starting with /', async () => {
      expect(await sign({ method: 'GET', path: 'order/202309/orders' })).toStrictEqual(invalid('body.path', tiktokPath));
    });

    it('responds 400 naming body.path for a path with a query string or a .. segment', async () => {
      expect(await sign({ method: 'GET', path: '/order/202309/orders?ids=1' })).toStrictEqual(invalid('body.path', tiktokPath));
      expect(await sign({ method: 'GET', path: '/order/../secret' })).toStrictEqual(invalid('body.path', 'must not contain . or .. segments'));
    });

    // shop_cipher is not among them: a caller's value overrides the cipher rule (issue #11 item 6).
    for (const name of ['app_key', 'sign', 'timestamp', 'access_token', 'version']) {
      it(`responds 400 naming body.query.${name}, which the service sets itself`, async () => {
        expect(await sign({ method: 'GET', path: '/order/202309/orders', query: { ids: '1', [name]: 'mine' } })).toStrictEqual(invalid(`body.query.${name}`, reserved));
      });
    }
  });
});
