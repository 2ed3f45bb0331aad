import { describe, expect, it } from 'vitest';
import { createMetrics, observeTikTokCalls } from '../../src/shared/metrics.js';
import { connectionStatuses } from '../../src/connections/lifecycle/index.js';

describe('createMetrics', () => {
  describe('when the database does not answer', () => {
    it('still serves metrics: connect_database_up is 0, labelled series are left out, the others read NaN', async () => {
      const down = () => Promise.reject(new Error('connection refused'));
      const metrics = createMetrics({ connections: { statuses: connectionStatuses, counts: down }, outbox: down, expiringAuthorizations: down, databaseUp: down });
      const text = await metrics.registry.metrics();
      expect(text).toContain('connect_database_up 0');
      expect(text).toContain('# TYPE tiktok_connections gauge');
      expect(text).not.toMatch(/^tiktok_connections\{/m);
      expect(text).toMatch(/^connect_outbox_events nan$/im);
      expect(text).toMatch(/^connect_outbox_oldest_event_age_seconds nan$/im);
      expect(text).not.toMatch(/^tiktok_authorizations_expiring\{/m);
    });
  });

  describe('observeTikTokCalls', () => {
    it('records one sample per attempt and one retry per attempt after the first', async () => {
      const metrics = createMetrics();
      const observe = observeTikTokCalls(metrics.tiktok);
      observe({ api: '/order/202309/orders', method: 'GET', code: '36009003', seconds: 0.2, attempt: 1 });
      observe({ api: '/order/202309/orders', method: 'GET', code: '0', seconds: 0.1, attempt: 2 });
      const text = await metrics.registry.metrics();
      expect(text).toContain('tiktok_api_request_duration_seconds_count{api="/order/202309/orders",method="GET",code="36009003"} 1');
      expect(text).toContain('tiktok_api_request_duration_seconds_count{api="/order/202309/orders",method="GET",code="0"} 1');
      expect(text).toContain('tiktok_api_retries_total{api="/order/202309/orders",method="GET"} 1');
    });
  });
});
