import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { browse, csrfOf, postForm, signIn, type CookieJar } from '../admin/support.js';
import { startTestService, type TestService } from '../support/service.js';
import { api, fastWebhookEnv, seedConnection, startReceiver, tiktokSends, type Receiver } from './support.js';

/** The admin console's webhook page: health, dead letters, pause/resume and replay buttons. */
let service: TestService;
let receiver: Receiver;
let jar: CookieJar;
let call: ReturnType<typeof api>;
beforeAll(async () => {
  receiver = await startReceiver();
  service = await startTestService({ ...fastWebhookEnv, ADMIN_EMAILS: 'ops@example.com' });
  ({ jar } = await signIn(service, 'ops@example.com'));
  call = api(service, (await service.core.operator.apiClients.create({ name: 'sync', scopes: ['webhooks:manage'] })).key);
});
afterAll(async () => {
  await service?.stop();
  await receiver?.close();
});

const page = async (path: string) => {
  const { response } = await browse(jar, `${service.url}${path}`);
  expect(response.status, path).toBe(200);
  return response.text();
};

describe('/admin/webhooks', () => {
  it('shows a failing subscription with its dead letter, and replays it from the button', async () => {
    const { seller } = await seedConnection(service);
    const created = await call<{ id: string }>('POST', '/v1/webhook-subscriptions', { url: `${receiver.url}/admin-down`, events: ['tiktok.*'], shopIds: [seller.shops[0]!.id] });
    const id = created.body.id;
    receiver.always('/admin-down', { status: 500 });
    await tiktokSends(service, { type: 1, shopId: seller.shops[0]!.id });
    await vi.waitFor(async () => expect(await service.db.sql.query("SELECT id FROM webhook_deliveries WHERE status = 'dead'")).toHaveLength(1), { timeout: 10_000 });

    const list = await page('/admin/webhooks');
    expect(list).toContain(`${receiver.url}/admin-down`);
    expect(list).toContain('0% of 4');
    expect(list).toContain('HTTP 500');
    expect(list).toContain('Replay 1 dead letter(s)');

    const detail = await page(`/admin/webhooks/${id}`);
    expect(detail).toContain('Dead letters (1)');
    const deliveryId = /name="deliveryId" value="(\d+)"/.exec(detail)?.[1];
    expect(deliveryId).toBeDefined();

    receiver.always('/admin-down', undefined);
    const replayed = await postForm(jar, `${service.url}/admin/webhooks/${id}/replay`, { _csrf: csrfOf(detail), target: 'delivery', deliveryId: deliveryId! });
    expect(replayed.status).toBe(303);
    expect(replayed.headers.get('location')).toBe(`/admin/webhooks/${id}?notice=replayed&count=1`);
    await vi.waitFor(() => expect(receiver.at('/admin-down').at(-1)?.status).toBe(200), { timeout: 10_000 });
    await service.audit.flush();
    const audit = await service.db.sql.query<{ action: string; actor_id: string }>("SELECT action, actor_id FROM audit_events WHERE action LIKE 'webhook_subscription.%' AND actor_type = 'admin'");
    expect(audit).toStrictEqual([{ action: 'webhook_subscription.replayed', actor_id: 'ops@example.com' }]);
  });

  it('replays every dead letter, then everything since a time, from the console', async () => {
    const { seller } = await seedConnection(service);
    const created = await call<{ id: string }>('POST', '/v1/webhook-subscriptions', { url: `${receiver.url}/admin-refuses`, events: ['tiktok.*'], shopIds: [seller.shops[0]!.id] });
    const id = created.body.id;
    const since = new Date(Date.now() - 1000).toISOString().slice(0, 16);
    receiver.always('/admin-refuses', { status: 400 });
    await tiktokSends(service, { type: 1, shopId: seller.shops[0]!.id, notificationId: 'refused-1' });
    await tiktokSends(service, { type: 4, shopId: seller.shops[0]!.id, notificationId: 'refused-2' });
    await vi.waitFor(async () => expect(await service.db.sql.query("SELECT id FROM webhook_deliveries WHERE status = 'dead' AND subscription_id = $1", [id])).toHaveLength(2), { timeout: 10_000 });

    receiver.always('/admin-refuses', undefined);
    const detail = await page(`/admin/webhooks/${id}`);
    const all = await postForm(jar, `${service.url}/admin/webhooks/${id}/replay`, { _csrf: csrfOf(detail), target: 'dead' });
    expect(all.headers.get('location')).toBe(`/admin/webhooks/${id}?notice=replayed&count=2`);
    await vi.waitFor(() => expect(receiver.at('/admin-refuses').filter((request) => request.status === 200)).toHaveLength(2), { timeout: 10_000 });

    const again = await postForm(jar, `${service.url}/admin/webhooks/${id}/replay`, { _csrf: csrfOf(await page(`/admin/webhooks/${id}`)), target: 'since', since });
    expect(again.headers.get('location')).toBe(`/admin/webhooks/${id}?notice=replayed&count=2`);
    await vi.waitFor(() => expect(receiver.at('/admin-refuses').filter((request) => request.status === 200)).toHaveLength(4), { timeout: 10_000 });
    const ids = receiver.at('/admin-refuses').filter((request) => request.status === 200).map((request) => (JSON.parse(request.body) as { payload: { notificationId: string } }).payload.notificationId);
    expect(ids).toStrictEqual(['refused-1', 'refused-2', 'refused-1', 'refused-2']);
  });

  it('pauses and resumes a subscription from its buttons (CSRF checked)', async () => {
    const created = await call<{ id: string }>('POST', '/v1/webhook-subscriptions', { url: `${receiver.url}/admin-pause`, events: ['*'] });
    const csrf = csrfOf(await page('/admin/webhooks'));
    const forged = await postForm(jar, `${service.url}/admin/webhooks/${created.body.id}/pause`, { _csrf: 'not-the-token' });
    expect(forged.status).toBe(403);
    const paused = await postForm(jar, `${service.url}/admin/webhooks/${created.body.id}/pause`, { _csrf: csrf });
    expect(paused.status).toBe(303);
    expect((await call<{ status: string }>('GET', `/v1/webhook-subscriptions/${created.body.id}`)).body.status).toBe('paused');
    expect(await page('/admin/webhooks?notice=paused')).toContain('Paused by its owner.');
    await postForm(jar, `${service.url}/admin/webhooks/${created.body.id}/resume`, { _csrf: csrf });
    expect((await call<{ status: string }>('GET', `/v1/webhook-subscriptions/${created.body.id}`)).body.status).toBe('active');
  });

  it('sends an admin who is not signed in to sign in', async () => {
    const response = await service.request('/admin/webhooks', { headers: { accept: 'text/html' } });
    expect(response.status).toBe(303);
  });
});
