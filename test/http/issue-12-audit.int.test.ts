import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSeller, createClient, withKey } from '../apps/support.js';
import { FakeClock } from '../support/clock.js';
import { startTestService, type TestService } from '../support/service.js';

/**
 * Issue #12 item 2: token reads are audited without a row per read. Each read is counted in
 * credential_reads (client × shop × connection × UTC minute, per outcome, first and last request id),
 * and stays attributable to its request.
 */
describe('issue #12: credential reads in the audit trail', () => {
  const clock = new FakeClock('2026-12-03T10:00:05.000Z');
  let service: TestService;
  let clientId: string;
  let call: ReturnType<typeof withKey>;
  let shopId: string;
  let connectionId: string;
  const readsRows = async () => {
    await service.core.reads.flush();
    return service.db.sql.query<Record<string, unknown>>(
      `SELECT minute, api_client_id, shop_id, connection_id, reads, succeeded, denied, failed, first_request_id, last_request_id
         FROM credential_reads ORDER BY minute, connection_id = '', shop_id`,
    );
  };

  beforeAll(async () => {
    service = await startTestService({}, { clock });
    const client = await createClient(service, { name: 'reader' });
    clientId = client.id;
    call = withKey(service, client.key);
    const created = await call('/v1/connect-sessions', { method: 'POST', body: JSON.stringify({ merchantRef: 'merchant-12-audit' }) });
    connectionId = await connectSeller(service, ((await created.json()) as { url: string }).url, service.simulator!.control.builtInSellers.local);
    shopId = service.simulator!.control.builtInSellers.local.shops[0]!.id;
    await service.db.sql.query('DELETE FROM credential_reads');
  });
  afterAll(async () => {
    await service?.stop();
  });

  it('attributes an HTTP token read to its client, shop, connection, outcome and request id', async () => {
    const response = await call(`/v1/shops/${shopId}/token`, { headers: { 'x-request-id': 'read-one' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('read-one');
    expect(await readsRows()).toStrictEqual([
      {
        minute: new Date('2026-12-03T10:00:00.000Z'), api_client_id: clientId, shop_id: shopId, connection_id: connectionId,
        reads: 1, succeeded: 1, denied: 0, failed: 0, first_request_id: 'read-one', last_request_id: 'read-one',
      },
    ]);
  });

  it('adds later reads of the same minute to the same row (also across flushes), with the first and last request ids', async () => {
    await call(`/v1/shops/${shopId}/token`, { headers: { 'x-request-id': 'read-two' } });
    await service.core.reads.flush();
    clock.advanceSeconds(10);
    await call(`/v1/shops/${shopId}/token`, { headers: { 'x-request-id': 'read-three' } });
    expect(await readsRows()).toMatchObject([{ reads: 3, succeeded: 3, first_request_id: 'read-one', last_request_id: 'read-three' }]);
  });

  it('counts a refused read by its outcome, and keeps its error code as one audit event', async () => {
    clock.advanceSeconds(60);
    await service.db.sql.query(`UPDATE connections SET status = 'suspended', status_reason = 'review' WHERE id = $1`, [connectionId]);
    const refused = await call(`/v1/shops/${shopId}/token`, { headers: { 'x-request-id': 'read-suspended' } });
    await service.db.sql.query(`UPDATE connections SET status = 'active', status_reason = NULL WHERE id = $1`, [connectionId]);
    expect(refused.status).toBe(409);
    const missing = await call('/v1/shops/7999999999999999999/token', { headers: { 'x-request-id': 'read-missing' } });
    expect(missing.status).toBe(404);
    const rows = await readsRows();
    expect(rows.slice(1)).toStrictEqual([
      {
        minute: new Date('2026-12-03T10:01:00.000Z'), api_client_id: clientId, shop_id: shopId, connection_id: connectionId,
        reads: 1, succeeded: 0, denied: 1, failed: 0, first_request_id: 'read-suspended', last_request_id: 'read-suspended',
      },
      {
        minute: new Date('2026-12-03T10:01:00.000Z'), api_client_id: clientId, shop_id: '7999999999999999999', connection_id: '',
        reads: 1, succeeded: 0, denied: 0, failed: 1, first_request_id: 'read-missing', last_request_id: 'read-missing',
      },
    ]);
    await service.audit.flush();
    const events = await service.db.sql.query(`SELECT request_id, outcome, detail->>'code' AS code FROM audit_events WHERE action = 'token.read' ORDER BY id`);
    expect(events).toStrictEqual([
      { request_id: 'read-suspended', outcome: 'denied', code: 'connection_suspended' },
      { request_id: 'read-missing', outcome: 'failure', code: 'shop_not_found' },
    ]);
  });
});
