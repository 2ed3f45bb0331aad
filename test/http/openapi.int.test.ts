import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionEventTypes } from '../../src/connections/lifecycle/index.js';
import { startTestService, type TestService } from '../support/service.js';

interface Operation {
  requestBody?: { required: boolean; content: Record<string, { schema: { properties?: Record<string, unknown>; required?: string[] } }> };
  responses: Record<string, { headers?: Record<string, unknown> }>;
  'x-required-scope'?: string;
}
interface Document {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
}

interface RouterLayer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: RouterLayer[] };
}

/** `GET /v1/shops/{shopId}/token`-style names of every route the running app's router serves. */
function servedRoutes(service: TestService): string[] {
  const app = service.server.listeners('request')[0] as Express & { router: { stack: RouterLayer[] } };
  const found: string[] = [];
  const walk = (stack: RouterLayer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        const path = layer.route.path.replace(/:(\w+)/g, '{$1}').replace(/\*(\w+)/g, '{$1}');
        for (const method of Object.keys(layer.route.methods)) found.push(`${method.toUpperCase()} ${path}`);
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack);
      }
    }
  };
  walk(app.router.stack);
  return found;
}

describe('GET /openapi.json', () => {
  let service: TestService;
  let document: Document;

  beforeAll(async () => {
    service = await startTestService();
    const response = await service.request('/openapi.json');
    expect(response.status).toBe(200);
    document = (await response.json()) as Document;
  });
  afterAll(async () => {
    await service?.stop();
  });

  it("describes the push of every connection event under `webhooks`, problems and refresh failures included", () => {
    const webhooks = (document as unknown as { webhooks: Record<string, { post: { requestBody: { content: { 'application/json': { schema: { properties: Record<string, { properties?: Record<string, unknown> }> } } } } } }> }).webhooks;
    expect(Object.keys(webhooks).sort()).toStrictEqual([...connectionEventTypes, 'tiktok.*'].sort());
    const payloadOf = (type: string) => webhooks[type]!.post.requestBody.content['application/json'].schema.properties.payload!.properties!;
    expect(Object.keys(payloadOf('connection.scope_problem'))).toEqual(expect.arrayContaining(['problemId', 'apiPath', 'scopeKeys', 'tiktokCode']));
    expect(Object.keys(payloadOf('connection.problem_resolved'))).toEqual(expect.arrayContaining(['problemId', 'apiPath', 'resolution']));
    expect(Object.keys(payloadOf('connection.refresh_failed'))).toEqual(expect.arrayContaining(['failureClass', 'error', 'nextAttemptAt', 'accessTokenExpiresAt']));
  });

  it('is OpenAPI 3.1', () => {
    expect(document.openapi).toBe('3.1.0');
  });

  it('describes every /v1 route the app serves, and no other', () => {
    const served = servedRoutes(service).filter((route) => route.split(' ')[1]!.startsWith('/v1/'));
    const documented = Object.entries(document.paths)
      .filter(([path]) => path.startsWith('/v1/'))
      .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`));
    expect(served.length).toBeGreaterThan(0);
    expect([...new Set(documented)].sort()).toStrictEqual([...new Set(served)].sort());
  });

  it("gives sign's request body method, path, query, body and contentType (multipart uploads), with method and path required", () => {
    const body = document.paths['/v1/shops/{shopId}/sign']!.post!.requestBody!;
    expect(body.required).toBe(true);
    const schema = body.content['application/json']!.schema;
    expect(Object.keys(schema.properties!).sort()).toStrictEqual(['body', 'contentType', 'method', 'path', 'query']);
    expect(schema.required!.sort()).toStrictEqual(['method', 'path']);
  });

  it('lists GET, POST, PUT and DELETE on the proxy path, each with a JSON body but GET, and POST with uploads too', () => {
    const proxy = document.paths['/v1/shops/{shopId}/proxy/{path}']!;
    expect(Object.keys(proxy).sort()).toStrictEqual(['delete', 'get', 'post', 'put']);
    expect(proxy.get!.requestBody).toBeUndefined();
    expect(Object.keys(proxy.post!.requestBody!.content)).toStrictEqual(['application/json', 'multipart/form-data']);
    for (const method of ['put', 'delete']) expect(Object.keys(proxy[method]!.requestBody!.content), method).toStrictEqual(['application/json']);
    for (const method of ['post', 'put', 'delete']) {
      expect(Object.keys(proxy[method]!.responses), method).toEqual(expect.arrayContaining(['400', '413', '415']));
    }
  });

  it('documents Retry-After and X-RateLimit-* on the 429 of every API-key route', () => {
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        if (!operation['x-required-scope']) continue;
        expect(Object.keys(operation.responses['429']?.headers ?? {}), `${method} ${path}`).toEqual(
          expect.arrayContaining(['Retry-After', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset']),
        );
      }
    }
  });
});
