import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/shared/logger.js';
import { connectSeller, createClient, withKey } from '../apps/support.js';
import { startTestService, type TestService } from '../support/service.js';

/**
 * Issue #12, the token path's CPU per request: the global middlewares became one (everyRequest), the
 * answer is sent without res.json, and the request log line is written without pino's path
 * redaction. What a caller and an operator see stays: the answer and its headers, one log line per
 * request with its request id, route template, status and duration, and no secret in it.
 */
describe('GET /v1/shops/:shopId/token (issue #12 hot path)', () => {
  const lines: Record<string, unknown>[] = [];
  let service: TestService;
  let call: ReturnType<typeof withKey>;
  let key: string;
  let shopId: string;

  beforeAll(async () => {
    const logger = createLogger('info', new Writable({ write: (chunk, _encoding, done) => void (lines.push(JSON.parse(String(chunk)) as Record<string, unknown>), done()) }));
    service = await startTestService({}, { logger });
    ({ key } = await createClient(service, { name: 'hot-path' }));
    call = withKey(service, key);
    const created = await call('/v1/connect-sessions', { method: 'POST', body: JSON.stringify({ merchantRef: 'merchant-12-hot-path' }) });
    await connectSeller(service, ((await created.json()) as { url: string }).url, service.simulator!.control.builtInSellers.local);
    shopId = service.simulator!.control.builtInSellers.local.shops[0]!.id;
  });
  afterAll(async () => {
    await service?.stop();
  });

  it('answers the token as JSON with its length, the request id and the API security headers', async () => {
    const response = await call(`/v1/shops/${shopId}/token`, { headers: { 'x-request-id': 'hot-path-one' } });
    const text = await response.text();
    expect(response.status).toBe(200);
    expect(Object.fromEntries([...response.headers].filter(([name]) => !['date', 'connection', 'keep-alive'].includes(name)))).toStrictEqual({
      'cache-control': 'no-store',
      'content-length': String(Buffer.byteLength(text)),
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
      'content-type': 'application/json; charset=utf-8',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'x-request-id': 'hot-path-one',
    });
    expect(Object.keys(JSON.parse(text) as object)).toStrictEqual(['shopId', 'shopCipher', 'accessToken', 'expiresAt', 'grantedScopes']);
  });

  it('answers HEAD with the headers and no body', async () => {
    const response = await call(`/v1/shops/${shopId}/token`, { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await response.text()).toBe('');
  });

  it('logs one line per request with its request id, route template, status and duration, and no secret', async () => {
    const response = await call(`/v1/shops/${shopId}/token?app=default&access_token=leaked`, { headers: { 'x-request-id': 'hot-path-two' } });
    const { accessToken } = (await response.json()) as { accessToken?: string };
    await new Promise((resolve) => setImmediate(resolve));
    const logged = lines.filter((line) => line.requestId === 'hot-path-two');
    expect(logged).toMatchObject([
      { level: 30, msg: 'request', method: 'GET', route: '/v1/shops/:shopId/token', url: `/v1/shops/${shopId}/token?app=default&access_token=[REDACTED]`, status: response.status },
    ]);
    expect(typeof logged[0]!.ms).toBe('number');
    const text = JSON.stringify(lines);
    expect(text).not.toContain(key);
    expect(text).not.toContain('leaked');
    if (accessToken) expect(text).not.toContain(accessToken);
  });

  it('logs a request that matched no route without a route template, and times it as (unmatched)', async () => {
    const response = await service.request('/v1/no-such-thing', { headers: { 'x-request-id': 'hot-path-404' } });
    expect(response.status).toBe(404);
    await new Promise((resolve) => setImmediate(resolve));
    const [line] = lines.filter((entry) => entry.requestId === 'hot-path-404');
    expect(line).toMatchObject({ status: 404, url: '/v1/no-such-thing' });
    expect(line).not.toHaveProperty('route');
    const metrics = await (await service.request('/metrics')).text();
    expect(metrics).toMatch(/http_request_duration_seconds_count\{method="GET",route="\(unmatched\)",status="404"\} [1-9]/);
  });
});
