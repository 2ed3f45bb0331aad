import { createServer, type Server } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDevIdentityProvider } from '../../src/admin/dev-identity-provider.js';
import { devIdentityProviderRouter } from '../../src/http/routes/admin.js';
import { startTestService, type TestService } from '../support/service.js';
import { freePort, signIn } from './support.js';

/**
 * The "real issuer" path: ADMIN_OIDC_ISSUER points at a separate OpenID Connect provider that, like
 * many production issuers, releases `email` only from the userinfo endpoint.
 */
describe('admin sign-in against a configured ADMIN_OIDC_ISSUER', () => {
  let service: TestService;
  let issuerServer: Server;
  let issuer: string;

  beforeAll(async () => {
    const [servicePort, issuerPort] = [await freePort(), await freePort()];
    issuer = `http://127.0.0.1:${issuerPort}/idp`;
    const idp = await createDevIdentityProvider({
      issuer,
      redirectUri: `http://127.0.0.1:${servicePort}/admin/callback`,
      cookieSecret: 'external-issuer-cookie-secret-0123456789',
      clientId: 'connect-admin',
      clientSecret: 'connect-admin-secret',
      conformIdTokenClaims: true,
    });
    const app = express();
    app.use(idp.mountPath, devIdentityProviderRouter(idp));
    issuerServer = createServer(app);
    await new Promise<void>((resolve) => issuerServer.listen(issuerPort, '127.0.0.1', resolve));
    service = await startTestService({
      PORT: String(servicePort),
      ADMIN_OIDC_ISSUER: issuer,
      ADMIN_OIDC_CLIENT_ID: 'connect-admin',
      ADMIN_OIDC_CLIENT_SECRET: 'connect-admin-secret',
      ADMIN_EMAILS: 'lead@example.com, ops@example.com',
    });
  });
  afterAll(async () => {
    await service?.stop();
    await new Promise((resolve) => issuerServer?.close(resolve));
  });

  it('does not mount the development identity provider', async () => {
    const response = await service.request('/dev-idp/.well-known/openid-configuration');
    expect(response.status).toBe(404);
  });

  it('sends the browser to the configured issuer', async () => {
    const response = await service.request('/admin/sign-in');
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toMatch(new RegExp(`^${issuer}/auth\\?`));
  });

  it('lets a listed e-mail in, reading it from userinfo', async () => {
    const { response, url } = await signIn(service, 'Lead@Example.com');
    expect(response.status).toBe(200);
    expect(url).toBe(`${service.url}/admin`);
    expect(await response.text()).toContain('Signed in as <strong>lead@example.com</strong>');
  });

  it('answers 403 to an e-mail that is not listed', async () => {
    const { response } = await signIn(service, 'someone@example.com');
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('someone@example.com is not allowed to use the admin console.');
  });
});
