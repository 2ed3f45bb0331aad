import { expect } from 'vitest';
import type { NewClientInput } from '../../src/apps/api-clients.js';
import type { SimulatedSeller } from '../../src/simulator/index.js';
import { CookieBrowser, location } from '../connections/browser.js';
import type { TestService } from '../support/service.js';

/** Creates an API client straight through the store (as the CLI does) and answers its key. */
export async function createClient(service: TestService, input: Partial<NewClientInput> = {}): Promise<{ id: string; key: string }> {
  const created = await service.core.operator.apiClients.create({ name: 'test app', ...input });
  return { id: created.id, key: created.key };
}

/** A merchant following a connect link on the built-in simulator and approving `scopes`. */
export async function connectSeller(service: TestService, connectUrl: string, seller: SimulatedSeller, scopes?: string[]): Promise<string> {
  const browser = new CookieBrowser(service);
  const path = new URL(connectUrl).pathname;
  expect((await browser.request(path)).status).toBe(200);
  const started = await browser.postForm(`${path}/authorize`);
  const state = location(started).searchParams.get('state')!;
  const fields: [string, string][] = [['service_id', 'sim_service'], ['decision', 'approve'], ['state', state], ['open_id', seller.openId]];
  for (const scope of scopes ?? service.simulator!.control.settings().appScopes) fields.push(['scope', scope]);
  const callback = location(await browser.postForm('/simulator/open/authorize', fields));
  const done = await browser.request(callback.href);
  expect(done.status).toBe(303);
  const [row] = await service.db.sql.query<{ id: string }>('SELECT id FROM connections WHERE open_id = $1', [seller.openId]);
  return row!.id;
}

/** `fetch` to the service with an API key in X-API-Key. */
export function withKey(service: TestService, key: string) {
  return (path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    headers.set('x-api-key', key);
    if (init.body !== undefined && !headers.has('content-type')) headers.set('content-type', 'application/json');
    return service.request(path, { ...init, headers });
  };
}
