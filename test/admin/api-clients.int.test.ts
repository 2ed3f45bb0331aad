import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../support/clock.js';
import { formWithButton, sectionOf, submission, textOf } from '../support/html.js';
import { startTestService, type TestService } from '../support/service.js';
import { browse, type CookieJar, csrfOf, postForm, signIn } from './support.js';

/** Issue #16: API clients created, listed and revoked in the console while the service runs. */
describe('/admin/api-clients', () => {
  let service: TestService;
  let jar: CookieJar;
  const clock = new FakeClock('2026-11-23T10:00:00.000Z');
  const page = async (path: string) => {
    const { response } = await browse(jar, `${service.url}${path}`);
    expect(response.status, path).toBe(200);
    return response.text();
  };
  const connectionsWith = (key: string) => service.request('/v1/connections', { headers: { 'x-api-key': key } });

  beforeAll(async () => {
    service = await startTestService({ ADMIN_EMAILS: 'ops@example.com' }, { clock });
    ({ jar } = await signIn(service, 'ops@example.com'));
  });
  afterAll(async () => {
    await service?.stop();
  });

  it('refuses a form without a name or scope, saying so beside each field, and creates nothing', async () => {
    const csrf = csrfOf(await page('/admin/api-clients'));
    const response = await postForm(jar, `${service.url}/admin/api-clients`, { _csrf: csrf, name: '  ', rateLimitPerMinute: 'many' });
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toContain('<span class="error-text" id="name-error">Give the client a name, such as the app that will use it.</span>');
    expect(html).toContain('<span class="error-text" id="scopes-error">Choose at least one scope: a key with none could do nothing.</span>');
    expect(html).toContain('<span class="error-text" id="rateLimitPerMinute-error">A positive whole number, or empty for the default.</span>');
    expect(html).toContain('aria-describedby="name-error"');
    expect(await service.db.prisma.apiClient.count()).toBe(0);
  });

  it('creates a client, shows its key once with a copy button, and the key works; the list shows it masked', async () => {
    const form = formWithButton(await page('/admin/api-clients'), 'Create API client');
    // Every scope is ticked by default; the admin names the client and unticks all but two.
    const fields = submission(form, 'Create API client')
      .map(([name, value]): [string, string] => [name, name === 'name' ? 'orders app' : value])
      .filter(([name, value]) => name !== 'scopes' || ['connections:read', 'tokens:read'].includes(value));
    const created = await fetch(`${service.url}${form.action}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header() },
      body: new URLSearchParams(fields).toString(),
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
    const html = await created.text();
    const key = /<input type="text" id="api-key" class="wide key" value="([^"]+)" readonly>/.exec(html)![1]!;
    expect(key).toMatch(/^tsc_/);
    expect(html).toContain('<button type="button" data-copy="api-key" hidden>Copy key</button>');
    expect(html).toContain('<script src="/admin/assets/copy.js" defer></script>');
    expect(textOf(sectionOf(html, 'created-title'))).toContain('Scopes: connections:read, tokens:read. Shops: every shop.');

    expect((await connectionsWith(key)).status).toBe(200);
    const list = await page('/admin/api-clients');
    expect(list).not.toContain(key);
    expect(textOf(sectionOf(list, 'clients-title'))).toMatch(/^Clients \(1 active, 0 revoked\) Name Key Scopes Shops Apps Limit per minute Created State orders app tsc_\w+_\*{8} connections:read, tokens:read every shop every app default /);
    await service.audit.flush();
    const [audit] = await service.db.prisma.auditEvent.findMany({ where: { action: 'api_client.created' } });
    expect(audit).toMatchObject({ actorType: 'admin', actorId: 'ops@example.com', outcome: 'success', detail: { name: 'orders app', scopes: ['connections:read', 'tokens:read'] } });
    expect(JSON.stringify(audit!.detail)).not.toContain(key);
  });

  it('revokes a client after a confirm step; its key stops working', async () => {
    const created = await fetch(`${service.url}/admin/api-clients`, {
      method: 'POST',
      headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header() },
      body: new URLSearchParams([['_csrf', csrfOf(await page('/admin/api-clients'))], ['name', 'to revoke'], ['scopes', 'connections:read']]).toString(),
    });
    const key = /id="api-key" class="wide key" value="([^"]+)"/.exec(await created.text())![1]!;
    expect((await connectionsWith(key)).status).toBe(200);
    const client = await service.db.prisma.apiClient.findFirstOrThrow({ where: { name: 'to revoke' } });

    const confirm = formWithButton(await page(`/admin/api-clients/${client.id}/revoke`), 'Yes, revoke');
    const revoked = await postForm(jar, `${service.url}${confirm.action}`, Object.fromEntries(submission(confirm, 'Yes, revoke')) as Record<string, string>);
    expect(revoked.status).toBe(200);
    expect(textOf(await revoked.text())).toContain('Revoked to revoke: its key stops working within 5 seconds.');
    clock.advanceSeconds(6);
    expect((await connectionsWith(key)).status).toBe(401);
    expect((await page('/admin/api-clients')).includes('Clients (1 active, 1 revoked)')).toBe(true);
  });

  it('needs a signed-in admin', async () => {
    const anonymous = await service.request('/admin/api-clients', { headers: { accept: 'application/json' } });
    expect(anonymous.status).toBe(401);
  });
});

/** Issue #13: with several TikTok Shop apps, the console limits a key to some of them, as `api-clients create --apps` does. */
describe('/admin/api-clients with several TikTok Shop apps', () => {
  let service: TestService;
  let jar: CookieJar;
  const configured = [
    { id: 'global', appKey: 'global_key', appSecret: 'global_secret_0123456789', serviceId: 'global_service', market: 'global' },
    { id: 'us', appKey: 'us_key', appSecret: 'us_secret_9876543210', serviceId: 'us_service', market: 'us' },
  ];
  const page = async (path: string) => (await browse(jar, `${service.url}${path}`)).response.text();
  const create = async (fields: [string, string][]) =>
    fetch(`${service.url}/admin/api-clients`, {
      method: 'POST',
      headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header() },
      body: new URLSearchParams([['_csrf', csrfOf(await page('/admin/api-clients'))], ...fields]).toString(),
    });

  beforeAll(async () => {
    service = await startTestService({ ADMIN_EMAILS: 'ops@example.com', TIKTOK_APPS: JSON.stringify(configured) });
    ({ jar } = await signIn(service, 'ops@example.com'));
  });
  afterAll(async () => {
    await service?.stop();
  });

  it('offers each app with its market; a key limited to the US app is refused for the global one', async () => {
    const form = formWithButton(await page('/admin/api-clients'), 'Create API client');
    expect(form.text).toContain('TikTok Shop apps (none ticked: every app)');
    expect(form.text).toContain('us (US market)');
    const fields = submission(form, 'Create API client').map(([name, value]): [string, string] => [name, name === 'name' ? 'us orders' : value]);
    const created = await create([...fields.filter(([name]) => name !== '_csrf'), ['apps', 'us']]);
    expect(created.status).toBe(201);
    const html = await created.text();
    expect(textOf(html)).toContain('Apps: us.');
    const key = /id="api-key" class="wide key" value="([^"]+)"/.exec(html)![1]!;
    expect((await service.db.prisma.apiClient.findFirstOrThrow({ where: { name: 'us orders' } })).apps).toStrictEqual(['us']);
    expect(textOf(await page('/admin/api-clients'))).toContain('us orders');

    const connectThrough = (app: string) => service.request('/v1/connect-sessions', {
      method: 'POST', headers: { 'x-api-key': key, 'content-type': 'application/json' }, body: JSON.stringify({ merchantRef: 'm-1', app }),
    });
    expect((await connectThrough('us')).status).toBe(201);
    const refused = await connectThrough('global');
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ code: 'app_forbidden' });
  });

  it('refuses an app that is not configured, beside the field, and creates nothing', async () => {
    const response = await create([['name', 'odd'], ['scopes', 'tokens:read'], ['apps', 'mars']]);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('<span class="error-text" id="apps-error">Choose apps from the list (none: every app).</span>');
    expect(await service.db.prisma.apiClient.count({ where: { name: 'odd' } })).toBe(0);
  });
});
