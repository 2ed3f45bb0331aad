import { describe, expect, it } from 'vitest';
import { connectSeller, createClient, withKey } from './apps/support.js';
import { startTestService } from './support/service.js';

describe('graceful shutdown', () => {
  it('lets a request in flight finish, refuses new connections, and writes its audit event before the database closes', async () => {
    const service = await startTestService();
    try {
      const { key } = await createClient(service, { name: 'shutdown app' });
      const call = withKey(service, key);
      const created = await call('/v1/connect-sessions', { method: 'POST', body: JSON.stringify({ merchantRef: 'shutdown' }) });
      const seller = service.simulator!.control.builtInSellers.local;
      await connectSeller(service, ((await created.json()) as { url: string }).url, seller);
      service.simulator!.control.setLatency({ ms: 800, path: '/order/202309/orders/search', count: 1 });

      const inFlight = call(`/v1/shops/${seller.shops[0]!.id}/proxy/order/202309/orders/search`, { method: 'POST', body: '{}' });
      await new Promise((resolve) => setTimeout(resolve, 200));
      const closed = service.close();
      const response = await inFlight;
      await closed;

      expect(response.status).toBe(200);
      expect(((await response.json()) as { code: number }).code).toBe(0);
      await expect(fetch(`${service.url}/healthz`)).rejects.toThrow();
      const audited = await service.db.sql.query<{ outcome: string }>("SELECT outcome FROM audit_events WHERE action = 'proxy'");
      expect(audited).toStrictEqual([{ outcome: 'success' }]);
    } finally {
      await service.db.close();
    }
  });
});
