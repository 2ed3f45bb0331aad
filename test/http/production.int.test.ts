import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startTestService, type TestService } from '../support/service.js';

/** The same service under NODE_ENV=production: nothing development-only is reachable. */
describe('in production', () => {
  let service: TestService;
  let base: string;
  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    service = await startTestService({
      NODE_ENV: 'production',
      PORT: String(port),
      PUBLIC_URL: 'https://connect.example.com',
      TIKTOK_APP_KEY: 'live_app_key',
      TIKTOK_APP_SECRET: 'live_app_secret',
      TIKTOK_SERVICE_ID: '7123',
      ADMIN_OIDC_ISSUER: 'https://login.example.com',
      ADMIN_OIDC_CLIENT_ID: 'tiktok-shop-connect',
      ADMIN_EMAILS: 'ops@example.com',
    });
  });
  afterAll(async () => {
    await service?.stop();
  });

  it('shows only the service name and health on /', async () => {
    const response = await fetch(`${base}/`);
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toContain('TikTok Shop Connect');
    expect(page).toContain('/healthz');
    expect(page).not.toContain('demo');
    expect(page).not.toContain('simulator');
  });

  it('mounts neither the simulator nor the development identity provider', async () => {
    expect(service.simulator).toBeUndefined();
    for (const path of ['/simulator/open/authorize?service_id=7123', '/dev-idp/.well-known/openid-configuration', '/demo/connect']) {
      const response = await fetch(`${base}${path}`, { method: path === '/demo/connect' ? 'POST' : 'GET', headers: { accept: 'application/json' } });
      expect(response.status, path).toBe(404);
    }
  });

  it('tells browsers to use HTTPS only (HSTS on the API)', async () => {
    const response = await fetch(`${base}/healthz`);
    expect(response.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
  });
});
