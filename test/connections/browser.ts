import type { TestService } from '../support/service.js';

/**
 * A minimal browser for integration tests: keeps cookies and sends each only under its `Path`, as
 * browsers do, and never follows redirects, so each hop of the connect flow can be checked.
 */
export class CookieBrowser {
  private readonly jar = new Map<string, { value: string; path: string }>();
  constructor(private readonly service: TestService) {}

  /** Every cookie this browser holds, by name (whatever its path). */
  get cookies(): Map<string, string> {
    return new Map([...this.jar].map(([name, cookie]) => [name, cookie.value]));
  }

  setCookie(name: string, value: string, path = '/'): void {
    this.jar.set(name, { value, path });
  }

  async request(pathOrUrl: string, init: RequestInit = {}): Promise<Response> {
    const url = pathOrUrl.startsWith('http') ? pathOrUrl : `${this.service.url}${pathOrUrl}`;
    const { pathname } = new URL(url);
    const headers = new Headers(init.headers);
    headers.set('accept', 'text/html,application/xhtml+xml');
    const sent = [...this.jar].filter(([, cookie]) => pathname === cookie.path || pathname.startsWith(cookie.path.endsWith('/') ? cookie.path : `${cookie.path}/`));
    if (sent.length > 0) headers.set('cookie', sent.map(([name, cookie]) => `${name}=${cookie.value}`).join('; '));
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const separator = pair!.indexOf('=');
      const path = attributes.map((a) => a.trim()).find((a) => /^path=/i.test(a))?.slice(5) ?? '/';
      this.jar.set(pair!.slice(0, separator), { value: pair!.slice(separator + 1), path });
    }
    return response;
  }

  postForm(pathOrUrl: string, fields: [string, string][] = []): Promise<Response> {
    return this.request(pathOrUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
  }
}

/** Where a redirect points, as a URL. */
export function location(response: Response): URL {
  const value = response.headers.get('location');
  if (!value) throw new Error(`expected a redirect, got ${response.status}`);
  return new URL(value, 'http://relative.invalid');
}

/**
 * Connects `openId` through the whole HTTP flow (connect link → authorize → simulator Approve →
 * callback) in a fresh browser; answers the connection id.
 */
export async function connectThroughSimulator(
  service: TestService,
  input: { openId: string; merchantRef?: string },
  browser: CookieBrowser = new CookieBrowser(service),
): Promise<string> {
  const session = await service.connections.createConnectSession({ merchantRef: input.merchantRef ?? 'merchant' });
  const started = await browser.postForm(`${new URL(session.url).pathname}/authorize`);
  const state = location(started).searchParams.get('state')!;
  const fields: [string, string][] = [['service_id', 'sim_service'], ['decision', 'approve'], ['state', state], ['open_id', input.openId]];
  for (const scope of service.simulator!.control.settings().appScopes) fields.push(['scope', scope]);
  const approved = await browser.postForm('/simulator/open/authorize', fields);
  const done = await browser.request(location(approved).href);
  if (done.status !== 303) throw new Error(`connect failed with ${done.status}: ${await done.text()}`);
  return location(done).pathname.split('/').pop()!;
}
