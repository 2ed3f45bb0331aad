import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/service.js';
import { browse, CookieJar, csrfOf, postForm, signIn } from './support.js';

describe('admin sign-in through the development identity provider', () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService({ ADMIN_EMAILS: 'Ops@Example.com' });
  });
  afterAll(async () => {
    await service?.stop();
  });

  describe('GET /admin without a session', () => {
    it('redirects a browser to sign-in, which sends it to the identity provider', async () => {
      const first = await service.request('/admin', { headers: { accept: 'text/html' } });
      expect(first.status).toBe(303);
      expect(first.headers.get('location')).toBe('/admin/sign-in?returnTo=%2Fadmin');
      const start = await service.request('/admin/sign-in?returnTo=%2Fadmin');
      expect(start.status).toBe(303);
      const authorize = new URL(start.headers.get('location')!);
      expect(authorize.origin + authorize.pathname).toBe(`${service.url}/dev-idp/auth`);
      expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
        client_id: 'admin-console',
        response_type: 'code',
        scope: 'openid email',
        redirect_uri: `${service.url}/admin/callback`,
        code_challenge_method: 'S256',
      });
      expect(authorize.searchParams.get('state')).toBeTruthy();
      expect(authorize.searchParams.get('nonce')).toBeTruthy();
      const cookie = start.headers.getSetCookie().find((line) => line.startsWith('tsc_admin_sign_in='));
      expect(cookie).toMatch(/HttpOnly/i);
      expect(cookie).toMatch(/SameSite=Lax/i);
      expect(cookie).not.toMatch(/Secure/i);
    });

    it('answers 401 admin_sign_in_required to a caller that wants JSON', async () => {
      const response = await service.request('/admin', { headers: { accept: 'application/json' } });
      expect(response.status).toBe(401);
      expect(await response.json()).toStrictEqual({
        success: false,
        error: 'Sign in to use the admin console.',
        code: 'admin_sign_in_required',
        hint: 'Sign in at /admin.',
        requestId: expect.any(String),
      });
    });

    it('protects every admin page and action', async () => {
      for (const path of ['/admin/connections/abc', '/admin/connections/abc/revoke']) {
        const response = await service.request(path, { headers: { accept: 'text/html' } });
        expect(response.status, path).toBe(303);
        expect(response.headers.get('location'), path).toMatch(/^\/admin\/sign-in\?returnTo=/);
      }
      for (const action of ['refresh', 'suspend', 'resume', 'revoke']) {
        const response = await service.request(`/admin/connections/abc/${action}`, { method: 'POST', headers: { accept: 'application/json' } });
        expect(response.status, action).toBe(401);
        expect(await response.json()).toMatchObject({ code: 'admin_sign_in_required' });
      }
    });
  });

  describe('with an e-mail listed in ADMIN_EMAILS (any case)', () => {
    it('signs in, lands on the connections page and sets an 8-hour HttpOnly session cookie', async () => {
      const jar = new CookieJar();
      const { response, url } = await signIn(service, 'ops@EXAMPLE.com', jar);
      expect(response.status).toBe(200);
      expect(url).toBe(`${service.url}/admin`);
      const page = await response.text();
      expect(page).toContain('<h1>Connections</h1>');
      expect(page).toContain('Signed in as <strong>ops@example.com</strong>');
      expect(response.headers.get('cache-control')).toBe('no-store');
      const session = decodeJwt(jar.get('tsc_admin')!);
      expect(session).toMatchObject({ sub: 'ops@example.com', aud: 'tiktok-shop-connect/admin-session' });
      expect(session.exp! - session.iat!).toBe(8 * 3600);
      expect(jar.get('tsc_admin_sign_in')).toBeUndefined();
    });

    it('returns to the page first asked for', async () => {
      const jar = new CookieJar();
      const form = await browse(jar, `${service.url}/admin?status=active`);
      const action = /<form method="post" action="([^"]+)"/.exec(await form.response.text())![1]!;
      const result = await browse(jar, new URL(action, form.url).href, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'email=ops%40example.com',
      });
      expect(result.url).toBe(`${service.url}/admin?status=active`);
    });

    it('records the sign-in in the audit log', async () => {
      await signIn(service, 'ops@example.com');
      await service.audit.flush();
      const events = await service.db.prisma.auditEvent.findMany({ where: { action: 'admin.signed_in', actorId: 'ops@example.com' } });
      expect(events.length).toBeGreaterThan(0);
      expect(events[0]).toMatchObject({ actorType: 'admin', outcome: 'success', connectionId: null });
    });
  });

  describe('with an e-mail not listed in ADMIN_EMAILS', () => {
    it('answers 403 admin_forbidden with a page, sets no session and audits the refusal', async () => {
      const { jar, response } = await signIn(service, 'intruder@example.com');
      expect(response.status).toBe(403);
      const page = await response.text();
      expect(page).toContain('intruder@example.com is not allowed to use the admin console.');
      expect(page).toContain('Your account is not listed in ADMIN_EMAILS.');
      expect(page).toContain('admin_forbidden');
      expect(jar.get('tsc_admin')).toBeUndefined();
      await service.audit.flush();
      const denied = await service.db.prisma.auditEvent.findMany({ where: { action: 'admin.signed_in', outcome: 'denied' } });
      expect(denied.map((event) => event.actorId)).toContain('intruder@example.com');
    });
  });

  describe('the callback', () => {
    it('refuses a callback without the sign-in cookie (started elsewhere) with 401', async () => {
      const response = await service.request('/admin/callback?code=x&state=y', { headers: { accept: 'application/json' } });
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({
        code: 'admin_sign_in_required',
        error: 'The sign-in expired or was started in another browser; please sign in again.',
      });
    });

    it('refuses a callback whose state does not match', async () => {
      const jar = new CookieJar();
      await browse(jar, `${service.url}/admin/sign-in`);
      const response = await fetch(`${service.url}/admin/callback?code=forged&state=forged`, {
        headers: { accept: 'application/json', cookie: jar.header() },
        redirect: 'manual',
      });
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ code: 'admin_sign_in_required', error: 'The sign-in could not be completed; please sign in again.' });
    });

    it('refuses a forged session cookie', async () => {
      const jar = new CookieJar();
      jar.set('tsc_admin', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJvcHNAZXhhbXBsZS5jb20ifQ.forged');
      const response = await fetch(`${service.url}/admin`, { headers: { accept: 'application/json', cookie: jar.header() } });
      expect(response.status).toBe(401);
    });
  });

  describe('GET /admin/sign-in?account=other (the 403 page\'s "Sign in as someone else")', () => {
    it('asks the issuer to sign in again rather than reuse its session (prompt=login)', async () => {
      const switching = await service.request('/admin/sign-in?account=other');
      expect(switching.status).toBe(303);
      expect(new URL(switching.headers.get('location')!).searchParams.get('prompt')).toBe('login');
      const plain = await service.request('/admin/sign-in');
      expect(new URL(plain.headers.get('location')!).searchParams.has('prompt')).toBe(false);
    });
  });

  describe('POST /admin/sign-out', () => {
    it('ends the session', async () => {
      const { jar, response } = await signIn(service, 'ops@example.com');
      const signOut = await postForm(jar, `${service.url}/admin/sign-out`, { _csrf: csrfOf(await response.text()) });
      expect(signOut.status).toBe(303);
      expect(signOut.headers.get('location')).toBe('/admin/signed-out');
      expect(jar.get('tsc_admin')).toBeUndefined();
      const after = await fetch(`${service.url}/admin`, { headers: { accept: 'application/json', cookie: jar.header() } });
      expect(after.status).toBe(401);
    });

    it('ends it on the server: a copy of the cookie taken before signing out stops working (issue #16)', async () => {
      const { jar, response } = await signIn(service, 'ops@example.com');
      const stolen = jar.get('tsc_admin')!;
      const asThief = () => fetch(`${service.url}/admin`, { headers: { accept: 'application/json', cookie: `tsc_admin=${stolen}` } });
      expect((await asThief()).status).toBe(200);
      await postForm(jar, `${service.url}/admin/sign-out`, { _csrf: csrfOf(await response.text()) });
      const refused = await asThief();
      expect(refused.status).toBe(401);
      expect(await refused.json()).toMatchObject({ code: 'admin_sign_in_required' });
      // Another session of the same admin is untouched.
      const { jar: other } = await signIn(service, 'ops@example.com');
      expect((await fetch(`${service.url}/admin`, { headers: { accept: 'application/json', cookie: other.header() } })).status).toBe(200);
    });
  });
});
