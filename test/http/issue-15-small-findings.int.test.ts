import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSeller, createClient, withKey } from '../apps/support.js';
import { startTestService, type TestService } from '../support/service.js';

/** Sends raw bytes on a fresh TCP connection and answers everything the server sent before closing. */
function rawRequest(url: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(bytes));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer in 10 s')));
  });
}

function parseRaw(text: string): { status: number; headers: Record<string, string>; body: string } {
  const [head, ...rest] = text.split('\r\n\r\n');
  const [statusLine, ...lines] = head!.split('\r\n');
  const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
  return { status: Number(statusLine!.split(' ')[1]), headers, body: rest.join('\r\n\r\n') };
}

describe('issue 15: the smaller findings', () => {
  let service: TestService;
  let call: ReturnType<typeof withKey>;
  let shopId: string;
  const sim = () => service.simulator!.control;

  beforeAll(async () => {
    service = await startTestService();
    const { key } = await createClient(service, { rateLimitPerMinute: 1000 });
    call = withKey(service, key);
    const created = await call('/v1/connect-sessions', { method: 'POST', body: JSON.stringify({ merchantRef: 'merchant-15' }) });
    await connectSeller(service, ((await created.json()) as { url: string }).url, sim().builtInSellers.local);
    shopId = sim().builtInSellers.local.shops[0]!.id;
  });
  afterAll(async () => {
    await service?.stop();
  });

  describe("the proxy and TikTok's \"no such API\" answers", () => {
    it('answers 404 tiktok_path_not_found for a path TikTok does not have (36009009), not 502', async () => {
      const response = await call(`/v1/shops/${shopId}/proxy/product/202309/no-such-api`);
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ success: false, code: 'tiktok_path_not_found', tiktok: { code: 36009009 } });
    });

    it('answers 405 tiktok_method_not_allowed for a method TikTok does not take there (36009010), not 502', async () => {
      const response = await call(`/v1/shops/${shopId}/proxy/product/202309/products/search`, { method: 'PUT', body: '{}' });
      expect(response.status).toBe(405);
      expect(await response.json()).toMatchObject({ success: false, code: 'tiktok_method_not_allowed', tiktok: { code: 36009010 } });
    });

    it('answers HEAD with 405 and Allow, and makes no call to TikTok', async () => {
      sim().resetCounters();
      const response = await call(`/v1/shops/${shopId}/proxy/order/202309/orders?ids=1`, { method: 'HEAD' });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('GET, POST, PUT, DELETE');
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(response.headers.get('x-request-id')).toBeTruthy();
      expect(sim().counters().apiCalls.total).toBe(0);
    });
  });

  describe("requests Node's HTTP parser refuses", () => {
    it('answers a malformed request with a JSON 400 carrying a request id', async () => {
      const answer = parseRaw(await rawRequest(service.url, 'GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n'));
      expect(answer.status).toBe(400);
      expect(answer.headers['content-type']).toMatch(/^application\/json/);
      const body = JSON.parse(answer.body) as Record<string, unknown>;
      expect(body).toMatchObject({ success: false, code: 'request_malformed' });
      expect(body.requestId).toBe(answer.headers['x-request-id']);
      expect(String(body.requestId)).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('answers headers over the limit with a JSON 431 carrying a request id', async () => {
      const answer = parseRaw(await rawRequest(service.url, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(80 * 1024)}\r\n\r\n`));
      expect(answer.status).toBe(431);
      expect(JSON.parse(answer.body)).toMatchObject({ success: false, code: 'headers_too_large', requestId: answer.headers['x-request-id'] });
    });
  });

  describe('lone UTF-16 surrogates', () => {
    it('are stored and audited as U+FFFD: the connect session and its audit event are both kept', async () => {
      // JSON.stringify would escape a lone surrogate as \ud800 too; written out to be explicit.
      const response = await call('/v1/connect-sessions', { method: 'POST', body: '{"merchantRef":"shop-\\ud800-15"}' });
      expect(response.status).toBe(201);
      const { id } = (await response.json()) as { id: string };
      const [session] = await service.db.sql.query<{ merchant_ref: string }>('SELECT merchant_ref FROM connect_sessions WHERE id = $1', [id]);
      expect(session!.merchant_ref).toBe('shop-\uFFFD-15');
      await service.audit.flush();
      const events = await service.db.sql.query<{ detail: { merchantRef: string } }>(
        "SELECT detail FROM audit_events WHERE action = 'connect_session.created' AND detail->>'connectSessionId' = $1", [id],
      );
      expect(events.map((event) => event.detail.merchantRef)).toStrictEqual(['shop-\uFFFD-15']);
    });
  });
});

describe('POST /demo/connect outside simulator mode', () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService({
      NODE_ENV: 'development', TIKTOK_APP_KEY: 'live_app_key', TIKTOK_APP_SECRET: 'live_app_secret', TIKTOK_SERVICE_ID: '7123',
    });
  });
  afterAll(async () => {
    await service?.stop();
  });

  it('does not exist with live TikTok credentials, even in development, and the home page offers no demo button', async () => {
    const response = await service.request('/demo/connect', { method: 'POST', headers: { accept: 'application/json' } });
    expect(response.status).toBe(404);
    expect(await (await service.request('/')).text()).not.toContain('/demo/connect');
    const sessions = await service.db.sql.query("SELECT id FROM connect_sessions WHERE merchant_ref = 'demo-merchant'");
    expect(sessions).toStrictEqual([]);
  });
});
