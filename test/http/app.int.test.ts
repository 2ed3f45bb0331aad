import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/service.js';

const requestIdPattern = /^[0-9a-f-]{36}$/;

describe('HTTP basics', () => {
  let service: TestService;
  beforeAll(async () => {
    const failing = express.Router();
    failing.get('/boom', () => {
      throw new Error('secret internal detail');
    });
    service = await startTestService();
    failingService = await startTestService({}, { extraRouters: [{ path: '/test', router: failing }] });
  });
  let failingService: TestService;
  afterAll(async () => {
    await service?.stop();
    await failingService?.stop();
  });

  describe('GET /healthz', () => {
    it('answers 200 while the process is up', async () => {
      const response = await service.request('/healthz');
      expect(response.status).toBe(200);
      expect(await response.json()).toStrictEqual({ status: 'ok' });
      expect(response.headers.get('x-request-id')).toMatch(requestIdPattern);
      expect(response.headers.get('x-powered-by')).toBeNull();
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    });
  });

  describe('GET /readyz', () => {
    it('answers 200 naming the database when it is reachable', async () => {
      const response = await service.request('/readyz');
      expect(response.status).toBe(200);
      expect(await response.json()).toStrictEqual({ status: 'ready', database: service.db.kind });
    });
  });

  describe('errors', () => {
    it('gives API answers the REST security headers: never cached, sniffed or framed', async () => {
      const response = await service.request('/v1/nothing-here');
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(response.headers.get('etag')).toBeNull();
    });

    it("gives people's pages helmet's full set and no caching", async () => {
      const response = await service.request('/merchant/connections/x', { headers: { accept: 'text/html' } });
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(response.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    });

    it('answers an unknown route with a JSON 404', async () => {
      const response = await service.request('/v1/nothing-here', { headers: { 'x-request-id': 'caller-chosen-id-123' } });
      expect(response.status).toBe(404);
      expect(await response.json()).toStrictEqual({
        success: false,
        error: 'No route GET /v1/nothing-here.',
        code: 'route_not_found',
        hint: 'Check the path against GET /openapi.json.',
        requestId: 'caller-chosen-id-123',
      });
    });

    it('answers a wrong method with 405 and an Allow header', async () => {
      const response = await service.request('/healthz', { method: 'DELETE' });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('GET');
      expect(await response.json()).toMatchObject({ code: 'method_not_allowed', error: 'DELETE is not allowed on /healthz; use GET.' });
    });

    it('answers malformed JSON with 400 malformed_json', async () => {
      const response = await service.request('/v1/connect-sessions', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"merchantRef": ',
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({
        success: false,
        code: 'malformed_json',
        error: 'The request body is not valid JSON.',
        hint: 'Send a valid JSON body with Content-Type: application/json.',
      });
    });

    it('answers an oversized body with 413 payload_too_large', async () => {
      const response = await service.request('/v1/connect-sessions', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ merchantRef: 'x'.repeat(1_100_000) }),
      });
      expect(response.status).toBe(413);
      expect(await response.json()).toMatchObject({ code: 'payload_too_large', hint: 'Send a smaller JSON body (at most 1 MB) with POST; split a large batch into several requests.' });
    });

    it('answers a very long URL with 414 and a hint to use POST', async () => {
      const response = await service.request(`/v1/connections?merchantRef=${'a'.repeat(9000)}`);
      expect(response.status).toBe(414);
      expect(await response.json()).toMatchObject({
        code: 'uri_too_long',
        hint: 'The URL is too long: send the data with POST in a JSON body instead of the query string.',
      });
    });

    it('answers bad percent-encoding in a path with 400, not 500', async () => {
      const response = await service.request('/v1/shops/%E0%A4%A/token');
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ code: 'validation_failed', error: expect.stringMatching(/^The request is malformed: /) });
    });

    it('answers an unexpected failure with a generic 500 that reveals no internals', async () => {
      const response = await fetch(`${failingService.url}/test/boom`);
      expect(response.status).toBe(500);
      const body = (await response.json()) as Record<string, unknown>;
      expect(body).toStrictEqual({
        success: false,
        error: 'Something went wrong on our side.',
        code: 'internal_error',
        hint: 'Try again later; if it persists, give the requestId to the service operators.',
        requestId: expect.stringMatching(requestIdPattern),
      });
      expect(JSON.stringify(body)).not.toContain('secret internal detail');
    });

    it('answers errors on merchant pages as HTML even to a client that accepts anything', async () => {
      const response = await service.request('/connect/no-such-session', { headers: { accept: '*/*' } });
      expect(response.headers.get('content-type')).toMatch(/text\/html/);
      const json = await service.request('/connect/no-such-session', { headers: { accept: 'application/json' } });
      expect(json.headers.get('content-type')).toMatch(/application\/json/);
    });

    it('shows people on pages an HTML error page instead of JSON', async () => {
      const response = await service.request('/merchant/nowhere/at/all', { headers: { accept: 'text/html' } });
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toMatch(/text\/html/);
      const page = await response.text();
      expect(page).toContain('<h1 id="error-heading">This page does not exist</h1>');
      expect(page).toContain('<a class="button" href="/">Go to the start page</a>');
      expect(page).toContain('<li>No route GET /merchant/nowhere/at/all.</li>');
    });
  });
});
