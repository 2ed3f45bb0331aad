import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiScopes } from '../src/apps/scopes.js';
import { connectSeller, createClient } from '../test/apps/support.js';
import type { TestService } from '../test/support/service.js';
import { recordFigures, rememberSecrets } from './support/figures.js';
import { dumpDatabase, startLoggedService } from './support/service.js';

/**
 * Who may call what, for every route the Express router holds (walked from its stack, so a route
 * added without a rule here fails the first test). Each rule is then probed without credentials,
 * with wrong ones, and with credentials that lack the one thing the route needs.
 */
type Rule =
  | { auth: 'none'; expect?: number[] }
  | { auth: 'api-key'; scope: (typeof apiScopes)[number]; shop?: boolean }
  | { auth: 'admin' }
  | { auth: 'metrics-token' }
  | { auth: 'webhook-signature' }
  | { auth: 'development-only'; why: string };

const rules: Record<string, Rule> = {
  'GET /': { auth: 'none' },
  'GET /favicon.svg': { auth: 'none' },
  'GET /favicon.ico': { auth: 'none' },
  'POST /demo/connect': { auth: 'development-only', why: 'simulator mode only (no credential; see docs/security.md)' },
  'GET /healthz': { auth: 'none' },
  'GET /readyz': { auth: 'none' },
  'GET /openapi.json': { auth: 'none' },
  'GET /metrics': { auth: 'metrics-token' },
  'GET /connect/:token': { auth: 'none', expect: [404] },
  'POST /connect/:token/authorize': { auth: 'none', expect: [403, 404] },
  'GET /oauth/tiktok/callback': { auth: 'none', expect: [400] },
  'GET /merchant/connections/:id': { auth: 'none', expect: [403, 404] },
  'POST /merchant/connections/:id/reauthorize': { auth: 'none', expect: [403, 404] },
  'POST /webhooks/tiktok': { auth: 'webhook-signature' },
  'POST /webhooks/tiktok/:app': { auth: 'webhook-signature' },
  'POST /v1/connect-sessions': { auth: 'api-key', scope: 'connect' },
  'GET /v1/connections': { auth: 'api-key', scope: 'connections:read' },
  'GET /v1/connections/:id': { auth: 'api-key', scope: 'connections:read' },
  'GET /v1/events': { auth: 'api-key', scope: 'connections:read' },
  'GET /v1/shops/:shopId/token': { auth: 'api-key', scope: 'tokens:read', shop: true },
  'POST /v1/shops/:shopId/sign': { auth: 'api-key', scope: 'sign', shop: true },
  'GET /v1/shops/:shopId/proxy/*path': { auth: 'api-key', scope: 'proxy', shop: true },
  'POST /v1/shops/:shopId/proxy/*path': { auth: 'api-key', scope: 'proxy', shop: true },
  'PUT /v1/shops/:shopId/proxy/*path': { auth: 'api-key', scope: 'proxy', shop: true },
  'DELETE /v1/shops/:shopId/proxy/*path': { auth: 'api-key', scope: 'proxy', shop: true },
  'POST /v1/webhook-subscriptions': { auth: 'api-key', scope: 'webhooks:manage' },
  'GET /v1/webhook-subscriptions': { auth: 'api-key', scope: 'webhooks:manage' },
  'GET /v1/webhook-subscriptions/:id': { auth: 'api-key', scope: 'webhooks:manage' },
  'PATCH /v1/webhook-subscriptions/:id': { auth: 'api-key', scope: 'webhooks:manage' },
  'DELETE /v1/webhook-subscriptions/:id': { auth: 'api-key', scope: 'webhooks:manage' },
  'POST /v1/webhook-subscriptions/:id/rotate-secret': { auth: 'api-key', scope: 'webhooks:manage' },
  'GET /v1/webhook-subscriptions/:id/deliveries': { auth: 'api-key', scope: 'webhooks:manage' },
  'POST /v1/webhook-subscriptions/:id/replay': { auth: 'api-key', scope: 'webhooks:manage' },
  'GET /admin/sign-in': { auth: 'none' },
  'GET /admin/callback': { auth: 'none', expect: [400, 401, 403] },
  'GET /admin/signed-out': { auth: 'none' },
  'GET /admin/assets/copy.js': { auth: 'none' },
  'USE /simulator': { auth: 'development-only', why: 'the built-in fake TikTok, mounted in simulator mode only' },
  'USE /dev-idp': { auth: 'development-only', why: 'the development identity provider, mounted without ADMIN_OIDC_ISSUER only' },
};
/** Every other /admin route is for signed-in administrators. */
const adminRule = (key: string): Rule | undefined => (/^(GET|POST) \/admin(\/|$)/.test(key) ? { auth: 'admin' } : undefined);

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  rawPath?: string;
  name: string;
  handle: { stack?: Layer[] };
}

/** `METHOD path` of every route in the router stack, and `USE path` of every mounted sub-router. */
function enumerate(stack: Layer[], prefix = ''): string[] {
  const found: string[] = [];
  for (const layer of stack) {
    if (layer.route) {
      for (const [method, on] of Object.entries(layer.route.methods)) if (on && method !== '_all') found.push(`${method.toUpperCase()} ${prefix}${layer.route.path}`);
    } else if (layer.handle.stack && typeof layer.rawPath === 'string' && layer.rawPath !== '/') {
      found.push(`USE ${prefix}${layer.rawPath}`);
    } else if (layer.handle.stack) {
      found.push(...enumerate(layer.handle.stack, prefix));
    }
  }
  return found;
}

let service: TestService;
let routes: string[];
let fullKey: string;
let shopId: string;
const metricsToken = 'proof-metrics-token-0123456789';

beforeAll(async () => {
  service = await startLoggedService('authorization-matrix', { METRICS_TOKEN: metricsToken });
  fullKey = (await createClient(service, { name: 'matrix all scopes' })).key;
  rememberSecrets(fullKey, metricsToken);
  const created = await fetch(`${service.url}/v1/connect-sessions`, {
    method: 'POST', headers: { 'x-api-key': fullKey, 'content-type': 'application/json' }, body: JSON.stringify({ merchantRef: 'matrix' }),
  });
  const seller = service.simulator!.control.builtInSellers.local;
  await connectSeller(service, ((await created.json()) as { url: string }).url, seller);
  shopId = seller.shops[0]!.id;
  const app = service.server.listeners('request')[0] as Express & { router: { stack: Layer[] } };
  routes = [...new Set(enumerate(app.router.stack))];
}, 120_000);
afterAll(async () => {
  const simulated = service?.simulator?.state;
  if (simulated) rememberSecrets(...simulated.accessTokens.keys(), ...simulated.refreshTokens.keys());
  if (service) await dumpDatabase(service, 'authorization-matrix');
  await service?.stop();
});

const concrete = (path: string) =>
  path.replace(':shopId', shopId).replace('*path', 'product/202309/products/search').replace(':app', 'default')
    .replace(':token', 'not-a-real-token').replace(/:id/g, '00000000-0000-4000-8000-000000000000');

async function send(method: string, path: string, headers: Record<string, string> = {}) {
  const body = ['POST', 'PUT', 'PATCH', 'DELETE'].includes(method) ? '{}' : undefined;
  const response = await fetch(`${service.url}${concrete(path)}`, {
    method, redirect: 'manual', headers: { accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}), ...headers }, ...(body ? { body } : {}),
  });
  const text = await response.text();
  let code: string | undefined;
  try {
    code = (JSON.parse(text) as { code?: string }).code;
  } catch {
    code = undefined;
  }
  return { status: response.status, code, location: response.headers.get('location') };
}

describe('the authorization matrix', () => {
  it('has a rule for every route in the router (a new route without one fails here)', () => {
    const missing = routes.filter((route) => !rules[route] && !adminRule(route));
    expect(missing, `routes without a rule in proof/authorization-matrix.proof.ts: ${missing.join(', ')}`).toStrictEqual([]);
    expect(routes.length).toBeGreaterThan(30);
  });

  it('refuses every protected route without credentials, with wrong ones, and without the scope or shop it needs', async () => {
    const probes: Record<string, number> = {};
    const note = (what: string) => void (probes[what] = (probes[what] ?? 0) + 1);
    for (const route of routes) {
      const rule = rules[route] ?? adminRule(route)!;
      const [method, path] = route.split(' ') as [string, string];
      if (method === 'USE') continue;
      switch (rule.auth) {
        case 'api-key': {
          expect(await send(method, path), `${route} without a key`).toMatchObject({ status: 401, code: 'api_key_missing' });
          expect(await send(method, path, { 'x-api-key': `${fullKey.slice(0, -2)}xx` }), `${route} with a wrong key`).toMatchObject({ status: 401 });
          expect(await send(`${method}`, `${path}?api_key=${fullKey}`), `${route} with the key in the query`).toMatchObject({ status: 401 });
          const others = apiScopes.filter((scope) => scope !== rule.scope);
          const narrow = (await createClient(service, { name: `matrix without ${rule.scope}`, scopes: others })).key;
          rememberSecrets(narrow);
          expect(await send(method, path, { 'x-api-key': narrow }), `${route} without scope ${rule.scope}`).toMatchObject({ status: 403, code: 'scope_forbidden' });
          if (rule.shop) {
            const elsewhere = (await createClient(service, { name: 'matrix other shop', shopIds: ['1234567890'] })).key;
            rememberSecrets(elsewhere);
            expect(await send(method, path, { 'x-api-key': elsewhere }), `${route} for another shop's key`).toMatchObject({ status: 403, code: 'shop_forbidden' });
          }
          note('api-key routes probed (no key, wrong key, query key, missing scope, other shop)');
          break;
        }
        case 'admin': {
          const answer = await send(method, path);
          const toSignIn = [302, 303].includes(answer.status) && (answer.location ?? '').includes('/admin/sign-in');
          expect(toSignIn || [401, 403].includes(answer.status), `${route} without an admin session: ${JSON.stringify(answer)}`).toBe(true);
          const forged = await send(method, path, { cookie: 'tsc_admin=forged; tsc_admin.sig=forged' });
          expect([302, 303, 401, 403].includes(forged.status), `${route} with a forged session: ${JSON.stringify(forged)}`).toBe(true);
          note('admin routes probed (no session, forged session)');
          break;
        }
        case 'metrics-token':
          expect(await send(method, path), route).toMatchObject({ status: 401, code: 'metrics_token_invalid' });
          expect(await send(method, path, { authorization: 'Bearer wrong-token-wrong-token' }), route).toMatchObject({ status: 401 });
          expect((await send(method, path, { authorization: `Bearer ${metricsToken}` })).status, route).toBe(200);
          note('metrics probed');
          break;
        case 'webhook-signature':
          expect((await send(method, path)).status, route).toBe(401);
          expect((await send(method, path, { authorization: 'f'.repeat(64) })).status, route).toBe(401);
          note('webhook routes probed');
          break;
        case 'none': {
          const answer = await send(method, path);
          expect(answer.status, `${route}: ${JSON.stringify(answer)}`).toBeLessThan(500);
          if (rule.expect) expect(rule.expect, `${route}: ${JSON.stringify(answer)}`).toContain(answer.status);
          note('public routes probed');
          break;
        }
        case 'development-only':
          note('development-only routes (simulator mode)');
          break;
      }
    }
    recordFigures('authorization matrix', { routes: routes.length, ...probes });
  });
});
