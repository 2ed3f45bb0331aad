import { describe, expect, it } from 'vitest';
import type { AuditEventInput, AuditLog } from '../../src/audit/audit-log.js';
import { createShopCalls } from '../../src/apps/shop-calls.js';
import type { ShopCredentials, ShopCredentialSource } from '../../src/apps/shop-credentials.js';
import { ConnectionUnusable } from '../../src/shared/errors.js';
import { TikTokTokenExpired, TikTokUnavailable } from '../../src/tiktok/errors.js';
import type { ApiClient, ApiRequest } from '../../src/tiktok/index.js';
import { loadScopeIndex } from '../../src/tiktok/scopes.js';

const shopId = '7000000000000000001';
// Get Order Detail as documented for 202507 (the 202309 row is inferred, and inferred rows never refuse a call).
const ordersPath = '/order/202507/orders';
const credentials = (accessToken: string, overrides: Partial<ShopCredentials> = {}): ShopCredentials => ({
  shopId,
  shopCipher: 'ROW_cipher',
  connectionId: 'connection-1',
  app: 'default',
  accessToken,
  accessTokenExpiresAt: new Date('2026-12-01T00:00:00Z'),
  grantedScopes: ['seller.order.info'],
  hasOpenProblems: false,
  ...overrides,
});

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  return { promise, resolve, reject };
}

/**
 * The proxy over fakes: `lastSeen` is what this process read before; `reads` answer `forShop` in
 * order (each a deferred the test settles); TikTok answers each call by its access token.
 */
function proxyOver(input: { lastSeen?: ShopCredentials; answers?: Record<string, () => Promise<unknown>> }) {
  const reads: ReturnType<typeof deferred<ShopCredentials>>[] = [];
  const calls: ApiRequest[] = [];
  const events: string[] = [];
  const source: ShopCredentialSource = {
    forShop(_shop, options) {
      events.push(options?.force ? 'read (force)' : 'read');
      const read = deferred<ShopCredentials>();
      reads.push(read);
      return read.promise;
    },
    lastSeen: () => input.lastSeen,
  };
  const answers = input.answers ?? {};
  const audit: AuditLog & { events: AuditEventInput[] } = {
    events: [],
    record(event) {
      this.events.push(event);
    },
    flush: async () => undefined,
    close: async () => undefined,
    worker: { name: 'audit writer', start: () => undefined, stop: async () => undefined },
  };
  const api: Pick<ApiClient, 'prepare' | 'upload' | 'call'> = {
    prepare: () => {
      throw new Error('not used');
    },
    upload: () => {
      throw new Error('not used');
    },
    async call(request) {
      calls.push(request);
      events.push(`call with ${request.accessToken}`);
      const answer = answers[request.accessToken];
      const body = answer ? await answer() : { code: 0, message: 'Success', request_id: `req-${request.accessToken}`, data: { token: request.accessToken } };
      return { status: 200, body: body as never, text: JSON.stringify(body), requestId: `req-${request.accessToken}`, headers: {} };
    },
  };
  const shopCalls = createShopCalls({
    reads: { record: () => undefined },
    scopes: loadScopeIndex(),
    credentials: source,
    apps: { get: () => ({ api }) as never },
    problems: { recordScopeMissing: async () => undefined, resolve: async () => undefined },
    grants: { markGrantDead: async () => ({ status: 'needs_reauth', statusReason: 'deauthorized' }) },
    shops: {
      sync: () => {
        throw new Error('not used');
      },
    },
    audit,
  });
  const proxy = (method: string) => shopCalls.proxy({ clientId: 'client-1', requestId: 'request-1' }, shopId, { method, path: ordersPath, query: { ids: '1' } });
  return { proxy, reads, calls, events, audit };
}

/** Lets queued promise callbacks run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('the proxy sends a GET while the credential read runs', () => {
  it('sends with the last-read token right after starting the read, before it answers, and keeps that answer when the read agrees', async () => {
    const { proxy, reads, calls, events } = proxyOver({ lastSeen: credentials('token-a') });
    const result = proxy('get');
    await settle();
    expect(events).toEqual(['read', 'call with token-a']);
    reads[0]!.resolve(credentials('token-a'));
    const answered = await result;
    expect(JSON.parse(answered.text)).toMatchObject({ data: { token: 'token-a' } });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ method: 'GET', accessToken: 'token-a', shopCipher: 'ROW_cipher' });
  });

  it('drops the early answer and sends again with the read token when the token changed since (refreshed elsewhere)', async () => {
    const { proxy, reads, calls } = proxyOver({ lastSeen: credentials('token-old') });
    const result = proxy('get');
    reads[0]!.resolve(credentials('token-new'));
    const answered = await result;
    expect(calls.map((call) => call.accessToken)).toEqual(['token-old', 'token-new']);
    expect(JSON.parse(answered.text)).toMatchObject({ data: { token: 'token-new' } });
    expect(answered.requestId).toBe('req-token-new');
  });

  it.each([
    ['cipher', { shopCipher: 'ROW_other' }],
    ['connection', { connectionId: 'connection-2' }],
    ['grant', { grantedScopes: ['seller.order.info', 'seller.finance.info'] }],
  ] as [string, Partial<ShopCredentials>][])('drops the early answer when the read finds another %s', async (_what, change) => {
    const { proxy, reads, calls } = proxyOver({ lastSeen: credentials('token-a') });
    const result = proxy('get');
    reads[0]!.resolve(credentials('token-a', change));
    await result;
    expect(calls).toHaveLength(2);
    expect(calls[1]).toMatchObject({ accessToken: 'token-a', shopCipher: change.shopCipher ?? 'ROW_cipher' });
  });

  it('answers what the read says when the connection was suspended since: never the early answer', async () => {
    const { proxy, reads, audit } = proxyOver({ lastSeen: credentials('token-a') });
    const result = proxy('get');
    reads[0]!.reject(new ConnectionUnusable('connection-1', 'suspended', 'fraud review'));
    await expect(result).rejects.toMatchObject({ code: 'connection_suspended' });
    expect(audit.events).toMatchObject([{ action: 'proxy', outcome: 'denied', connectionId: 'connection-1' }]);
  });

  it('does not surface a failure of a dropped early call', async () => {
    const failing = deferred<unknown>();
    const { proxy, reads, calls } = proxyOver({ lastSeen: credentials('token-old'), answers: { 'token-old': () => failing.promise } });
    const result = proxy('get');
    failing.reject(new TikTokUnavailable('connection reset', { method: 'GET', apiPath: ordersPath }));
    await settle();
    reads[0]!.resolve(credentials('token-new'));
    expect(JSON.parse((await result).text)).toMatchObject({ data: { token: 'token-new' } });
    expect(calls.map((call) => call.accessToken)).toEqual(['token-old', 'token-new']);
  });

  it('treats a token-expired answer of an early call the read agrees with like any other: one refresh, one retry', async () => {
    const { proxy, reads, calls, events } = proxyOver({
      lastSeen: credentials('token-a'),
      answers: { 'token-a': async () => Promise.reject(new TikTokTokenExpired('expired', { method: 'GET', apiPath: ordersPath })) },
    });
    const result = proxy('get');
    reads[0]!.resolve(credentials('token-a'));
    await settle();
    reads[1]!.resolve(credentials('token-b'));
    expect(JSON.parse((await result).text)).toMatchObject({ data: { token: 'token-b' } });
    expect(events).toEqual(['read', 'call with token-a', 'read (force)', 'call with token-b']);
    expect(calls).toHaveLength(2);
  });

  it.each([
    ['a GET when this process has not read the shop yet', 'get', undefined],
    ['a GET when the last-read grant lacks the endpoint scope (the read decides)', 'get', credentials('token-a', { grantedScopes: [] })],
    ['a POST: it may change something at TikTok', 'post', credentials('token-a')],
    ['a PUT: it may change something at TikTok', 'put', credentials('token-a')],
    ['a DELETE: it may change something at TikTok', 'delete', credentials('token-a')],
  ])('sends %s only after the read', async (_case, method, lastSeen) => {
    const { proxy, reads, events } = proxyOver(lastSeen ? { lastSeen } : {});
    const result = proxy(method as string);
    await settle();
    expect(events).toEqual(['read']);
    reads[0]!.resolve(credentials('token-a'));
    await result;
    expect(events).toEqual(['read', 'call with token-a']);
  });

  it('reports how long it waited for the read and TikTok together, less than their sum when they overlap', async () => {
    const { proxy, reads } = proxyOver({ lastSeen: credentials('token-a'), answers: { 'token-a': () => new Promise((resolve) => setTimeout(() => resolve({ code: 0, message: 'Success', data: {} }), 40)) } });
    const result = proxy('get');
    setTimeout(() => reads[0]!.resolve(credentials('token-a')), 30);
    const { credentialsMs, tiktokMs, waitedMs } = await result;
    expect(credentialsMs).toBeGreaterThanOrEqual(25);
    expect(tiktokMs).toBeGreaterThanOrEqual(35);
    expect(waitedMs).toBeLessThan(credentialsMs + tiktokMs - 20);
    expect(waitedMs).toBeGreaterThanOrEqual(tiktokMs - 5);
  });
});
