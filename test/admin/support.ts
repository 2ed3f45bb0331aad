import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { simulatorApp } from '../../src/config.js';
import { createAuthClient } from '../../src/tiktok/index.js';
import { parseKeyRing } from '../../src/vault/key-ring.js';
import { sealTokens } from '../../src/vault/tokens.js';
import { createVault } from '../../src/vault/vault.js';
import { testEnv, type TestService } from '../support/service.js';

/** A cookie jar good enough for one test browser: names only (no domain or path matching). */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
      const at = pair.indexOf('=');
      const name = pair.slice(0, at);
      const expired = attributes.some(
        (a) => /^max-age=0$/i.test(a) || (/^expires=/i.test(a) && new Date(a.slice(8)).getTime() < Date.now()),
      );
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(at + 1));
    }
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  get(name: string): string | undefined {
    return this.cookies.get(name);
  }

  set(name: string, value: string): void {
    this.cookies.set(name, value);
  }
}

/** One request with the jar's cookies, following redirects like a browser; answers the last response and its URL. */
export async function browse(jar: CookieJar, url: string, init: RequestInit = {}): Promise<{ response: Response; url: string }> {
  let current = url;
  let request: RequestInit = init;
  for (let hop = 0; hop < 20; hop += 1) {
    const response = await fetch(current, {
      ...request,
      redirect: 'manual',
      headers: { accept: 'text/html', ...(request.headers as Record<string, string>), cookie: jar.header() },
    });
    jar.store(response);
    const location = response.headers.get('location');
    if (response.status < 300 || response.status >= 400 || !location) return { response, url: current };
    await response.body?.cancel();
    current = new URL(location, current).href;
    request = {};
  }
  throw new Error(`too many redirects from ${url}`);
}

/** Signs in through whatever issuer the service uses, typing `email` on its form. */
export async function signIn(service: TestService, email: string, jar = new CookieJar()): Promise<{ jar: CookieJar; response: Response; url: string }> {
  const form = await browse(jar, `${service.url}/admin`);
  expect(form.response.status).toBe(200);
  const page = await form.response.text();
  const action = /<form method="post" action="([^"]+)"/.exec(page)?.[1];
  expect(action).toBeDefined();
  const result = await browse(jar, new URL(action!.replaceAll('&amp;', '&'), form.url).href, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email }).toString(),
  });
  return { jar, ...result };
}

/** The CSRF token of the page's forms. */
export function csrfOf(page: string): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(page)?.[1];
  if (!token) throw new Error('no CSRF field on the page');
  return token;
}

/** Posts a form the way the page would (cookies, urlencoded), without following the redirect. */
export async function postForm(jar: CookieJar, url: string, fields: Record<string, string>): Promise<Response> {
  const response = await fetch(url, {
    method: 'POST',
    redirect: 'manual',
    headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header() },
    body: new URLSearchParams(fields).toString(),
  });
  jar.store(response);
  return response;
}

const vault = createVault(parseKeyRing(testEnv.TOKEN_ENCRYPTION_KEYS!));

export interface SeedInput {
  sellerName?: string;
  merchantRef?: string | null;
  status?: 'active' | 'needs_reauth' | 'expired' | 'suspended' | 'revoked';
  refreshTokenExpiresAt?: Date;
  refreshFailureCount?: number;
  lastRefreshError?: string | null;
  shops?: { id: string; name: string }[];
  /** Real tokens from the service's simulator (so "Refresh now" works); otherwise made-up ones. */
  fromSimulator?: boolean;
}

/** Inserts a connection with sealed tokens, as the connect flow would leave it. */
export async function seedConnection(service: TestService, input: SeedInput = {}): Promise<{ id: string; openId: string; shopIds: string[] }> {
  const id = randomUUID();
  let openId = `open_${id.slice(0, 8)}`;
  let tokens = { accessToken: `at_${id}`, refreshToken: `rt_${id}` };
  let accessTokenExpiresAt = new Date(Date.now() + 7 * 86_400_000);
  let refreshTokenExpiresAt = input.refreshTokenExpiresAt ?? new Date(Date.now() + 300 * 86_400_000);
  if (input.fromSimulator) {
    const seller = service.simulator!.control.addSeller();
    openId = seller.openId;
    const auth = createAuthClient({ fetch, authBaseUrl: `${service.url}/simulator`, ...simulatorApp });
    const set = await auth.getToken(service.simulator!.control.issueAuthCode({ openId }));
    tokens = { accessToken: set.accessToken, refreshToken: set.refreshToken };
    accessTokenExpiresAt = set.accessTokenExpiresAt;
    refreshTokenExpiresAt = input.refreshTokenExpiresAt ?? set.refreshTokenExpiresAt;
  }
  const shops = input.shops ?? [{ id: `shop_${id.slice(0, 8)}`, name: 'Main shop' }];
  await service.db.prisma.connection.create({
    data: {
      id,
      openId,
      userType: 0,
      sellerName: input.sellerName ?? `Seller ${id.slice(0, 4)}`,
      sellerBaseRegion: 'US',
      merchantRef: input.merchantRef === undefined ? `merchant-${id.slice(0, 6)}` : input.merchantRef,
      status: input.status ?? 'active',
      grantedScopes: ['seller.shop.info'],
      ...sealTokens(vault, id, tokens),
      accessTokenExpiresAt,
      refreshTokenExpiresAt,
      refreshDueAt: new Date(Date.now() + 86_400_000),
      refreshFailureCount: input.refreshFailureCount ?? 0,
      lastRefreshError: input.lastRefreshError ?? null,
      authorizedAt: new Date(),
      shops: { create: shops.map((shop) => ({ id: shop.id, cipher: `cipher_${shop.id}`, name: shop.name, region: 'US' })) },
    },
  });
  return { id, openId, shopIds: shops.map((shop) => shop.id) };
}

export { freePort } from '../support/service.js';
