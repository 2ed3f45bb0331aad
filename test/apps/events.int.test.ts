import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/service.js';
import { connectSeller, createClient, withKey } from './support.js';

interface EventsPage {
  events: { id: string; type: string; connectionId: string | null; payload: unknown; createdAt: string }[];
  nextCursor: string;
}

describe('GET /v1/events', () => {
  let service: TestService;
  let call: ReturnType<typeof withKey>;
  let connectionId: string;

  beforeAll(async () => {
    service = await startTestService();
    call = withKey(service, (await createClient(service, { name: 'events app', scopes: ['connect', 'connections:read'] })).key);
  });
  afterAll(async () => {
    await service?.stop();
  });

  const connect = async () => {
    const created = await call('/v1/connect-sessions', { method: 'POST', body: JSON.stringify({ merchantRef: 'events-merchant' }) });
    return connectSeller(service, ((await created.json()) as { url: string }).url, service.simulator!.control.builtInSellers.local);
  };
  const page = async (query = '') => {
    const response = await call(`/v1/events${query}`);
    expect(response.status).toBe(200);
    return (await response.json()) as EventsPage;
  };

  it('starts empty, with a cursor to poll from', async () => {
    expect(await page()).toStrictEqual({ events: [], nextCursor: '0' });
  });

  it('lists connection.created, then only what happened after the cursor', async () => {
    connectionId = await connect();
    const first = await page();
    expect(first.events.map((event) => [event.type, event.connectionId])).toStrictEqual([['connection.created', connectionId]]);
    expect(first.nextCursor).toBe(first.events[0]!.id);

    expect(await connect()).toBe(connectionId);
    const second = await page(`?after=${first.nextCursor}`);
    expect(second.events.map((event) => event.type)).toStrictEqual(['connection.reauthorized']);
    expect(Date.parse(second.events[0]!.createdAt)).not.toBeNaN();

    expect(await page(`?after=${second.nextCursor}`)).toStrictEqual({ events: [], nextCursor: second.nextCursor });
  });

  it('pages with limit', async () => {
    const one = await page('?limit=1');
    expect(one.events).toHaveLength(1);
    const rest = await page(`?after=${one.nextCursor}&limit=500`);
    expect(rest.events.map((event) => event.type)).toStrictEqual(['connection.reauthorized']);
  });

  it('pages past nine events in their order (event 10 after event 9), three at a time, missing none', async () => {
    for (let again = 0; again < 10; again += 1) expect(await connect()).toBe(connectionId);
    const all = (await page('?limit=500')).events;
    expect(all).toHaveLength(12);
    const ids = all.map((event) => BigInt(event.id));
    expect(ids).toStrictEqual([...ids].sort((a, b) => (a < b ? -1 : 1)));
    const paged: string[] = [];
    for (let cursor = '0'; ;) {
      const next = await page(`?after=${cursor}&limit=3`);
      if (next.events.length === 0) break;
      paged.push(...next.events.map((event) => event.id));
      cursor = next.nextCursor;
    }
    expect(paged).toStrictEqual(all.map((event) => event.id));
  });

  it('shows a key limited to other shops none of these events', async () => {
    const limited = withKey(service, (await createClient(service, { name: 'other shops', scopes: ['connections:read'], shopIds: ['999'] })).key);
    expect(await (await limited('/v1/events')).json()).toStrictEqual({ events: [], nextCursor: '0' });
  });

  it('refuses a cursor that is not one it gave out', async () => {
    const response = await call('/v1/events?after=abc');
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'validation_failed', error: 'Invalid query.after: a nextCursor from an earlier answer' });
  });

  it('requires the connections:read scope', async () => {
    const tokensOnly = withKey(service, (await createClient(service, { name: 'tokens only', scopes: ['tokens:read'] })).key);
    const response = await tokensOnly('/v1/events');
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ code: 'scope_forbidden', error: 'This API key lacks the "connections:read" scope.' });
  });
});
