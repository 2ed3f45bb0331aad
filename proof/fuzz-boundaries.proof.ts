import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulatorApp } from '../src/config.js';
import { ServiceError } from '../src/shared/errors.js';
import { systemClock } from '../src/shared/clock.js';
import { createApiClient, createAuthClient, loadScopeIndex, webhookSignature } from '../src/tiktok/index.js';
import type { ResponseLike } from '../src/tiktok/fetch-envelope.js';
import { connectSeller, createClient } from '../test/apps/support.js';
import type { TestService } from '../test/support/service.js';
import { envNumber, recordFigures, rememberSecrets } from './support/figures.js';
import { dumpDatabase, keepAliveClient, startLoggedService, tableCounts, tally, type Answer } from './support/service.js';

/**
 * Every input boundary, fuzzed with fast-check (PROOF_FUZZ_RUNS cases each, 10,000 by default): the
 * answer is never a 5xx (the proxy may pass on TikTok's own refusal as 502/503 `tiktok_*`, never
 * `internal_error`), never a hang (10 s per request), and refused input changes nothing stored.
 */
const runs = envNumber('PROOF_FUZZ_RUNS', 10_000);
const seed = process.env.PROOF_SEED === undefined ? undefined : Number(process.env.PROOF_SEED);
const options = { numRuns: runs, ...(seed === undefined ? {} : { seed }), endOnFailure: true };

let service: TestService;
let client: ReturnType<typeof keepAliveClient>;
let apiKey: string;
let shopId: string;
const figures: Record<string, Record<string, number>> = {};

/** Any text: full Unicode (lone surrogates, NUL, controls), sometimes long. */
const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'binary-ascii', maxLength: 40 }),
  fc.constantFrom('', ' ', '\u0000', '\ud800', '\udfff', '%', '%00', '%ZZ', '../..', '\r\n', 'null', '[]', '{}', '1e999', '-1', '0x1F'),
  fc.string({ unit: 'grapheme', minLength: 200, maxLength: 3000 }),
);

/** Percent-encodes every UTF-8 byte of `text` (lone surrogates become EF BF BD), or passes raw escapes through. */
const encodeBytes = (text: string) => [...Buffer.from(text, 'utf8')].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');
const queryPart = fc.oneof(
  fc.tuple(anyText, anyText).map(([name, value]) => `${encodeBytes(name)}=${encodeBytes(value)}`),
  fc.constantFrom('code', 'state', 'shop_region', 'app_key', 'locale', 'error', 'error_description').chain((name) => anyText.map((value) => `${name}=${encodeBytes(value)}`)),
  fc.constantFrom('%', '%E0%A4%A', '%ED%A0%80', '=', '&&', 'a=%00', 'state=%C0%80', 'code[]=1', 'state[a]=b'),
);
const query = fc.array(queryPart, { maxLength: 6 }).map((parts) => parts.join('&'));

function count(section: string, answer: Answer): void {
  tally((figures[section] ??= {}), answer);
}

/** The answer is no 5xx, with what came back for the failure message. */
function expectNo5xx(answer: Answer, what: string): void {
  if (answer.status >= 500) throw new Error(`${what} answered ${answer.status}: ${answer.text.slice(0, 300)}`);
}

beforeAll(async () => {
  service = await startLoggedService('fuzz', { REFRESH_SWEEP_INTERVAL_SECONDS: '3600' });
  apiKey = (await createClient(service, { name: 'fuzz', rateLimitPerMinute: 10_000_000, dailyQuota: 100_000_000 })).key;
  rememberSecrets(apiKey, simulatorApp.appSecret);
  const created = await fetch(`${service.url}/v1/connect-sessions`, {
    method: 'POST', headers: { 'x-api-key': apiKey, 'content-type': 'application/json' }, body: JSON.stringify({ merchantRef: 'fuzz' }),
  });
  const seller = service.simulator!.control.builtInSellers.local;
  await connectSeller(service, ((await created.json()) as { url: string }).url, seller);
  shopId = seller.shops[0]!.id;
  client = keepAliveClient(service.url);
}, 120_000);

afterAll(async () => {
  const state = service?.simulator?.control.counters();
  // `answers`: requests of this kind (sign and proxy share one property of `runs` cases, as do the two webhook kinds).
  for (const [section, counts] of Object.entries(figures)) {
    recordFigures(`fuzz: ${section}`, { answers: Object.values(counts).reduce((sum, count) => sum + count, 0), propertyRuns: runs, ...counts });
  }
  if (state) recordFigures('fuzz: simulator', { apiCalls: state.apiCalls.total, badSignatures: state.badSignatures });
  // Every token the simulator issued in this run must stay out of logs and dumps.
  const simulated = service?.simulator?.state;
  if (simulated) rememberSecrets(...simulated.accessTokens.keys(), ...simulated.refreshTokens.keys());
  await client?.close();
  if (service) await dumpDatabase(service, 'fuzz');
  await service?.stop();
});

describe('fuzzing every input boundary', () => {
  it('the OAuth callback query: never a 5xx, never a connection or a used state', async () => {
    const before = await tableCounts(service, ['connections', 'shops', 'connect_sessions']);
    const states = await service.db.sql.query<{ count: number }>('SELECT count(*)::int AS count FROM oauth_states WHERE consumed_at IS NOT NULL');
    await fc.assert(
      fc.asyncProperty(query, fc.option(anyText.map(encodeBytes)), async (search, cookie) => {
        const answer = await client.request({ method: 'GET', path: `/oauth/tiktok/callback?${search}`, headers: cookie ? { cookie: `tsc_oauth_binding=${cookie}; tsc_merchant=${cookie}` } : {} });
        count('OAuth callback', answer);
        expectNo5xx(answer, `GET /oauth/tiktok/callback?${search}`);
        expect(answer.status).toBeGreaterThanOrEqual(400);
      }),
      options,
    );
    expect(await tableCounts(service, ['connections', 'shops', 'connect_sessions'])).toStrictEqual(before);
    expect(await service.db.sql.query('SELECT count(*)::int AS count FROM oauth_states WHERE consumed_at IS NOT NULL')).toStrictEqual(states);
  });

  it('connect-session bodies: never a 5xx; a session is stored for each 201 and for nothing else', async () => {
    const before = await tableCounts(service, ['connect_sessions', 'connections']);
    let created = 0;
    const jsonValue = fc.oneof(anyText, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(anyText, { maxLength: 3 }), fc.dictionary(anyText, anyText, { maxKeys: 3 }));
    const body = fc.oneof(
      fc.record({ merchantRef: jsonValue, returnUrl: fc.option(fc.oneof(anyText, fc.webUrl(), fc.constantFrom('javascript:alert(1)', '//evil.example', 'http://127.0.0.1:1/x'))), connectionId: fc.option(fc.oneof(anyText, fc.uuid())) }, { requiredKeys: [] }).map((value) => JSON.stringify(value)),
      fc.json({ maxDepth: 3 }),
      anyText,
      fc.constantFrom('{', '{"merchantRef":', '[]', 'null', '"x"', '{"merchantRef":"a","merchantRef":{}}', '{"__proto__":{"admin":true},"merchantRef":"p"}', `{"merchantRef":"${'['.repeat(5000)}"}`, '['.repeat(10_000)),
    );
    const contentType = fc.constantFrom('application/json', 'application/json; charset=utf-16', 'text/plain', 'application/x-www-form-urlencoded', undefined);
    await fc.assert(
      fc.asyncProperty(body, contentType, async (text, type) => {
        const answer = await client.request({ method: 'POST', path: '/v1/connect-sessions', headers: { 'x-api-key': apiKey, ...(type ? { 'content-type': type } : {}) }, body: text });
        count('connect-session bodies', answer);
        expectNo5xx(answer, `POST /v1/connect-sessions ${JSON.stringify(text).slice(0, 200)}`);
        if (answer.status === 201) created += 1;
      }),
      options,
    );
    const after = await tableCounts(service, ['connect_sessions', 'connections']);
    expect(after).toStrictEqual({ connect_sessions: before.connect_sessions! + created, connections: before.connections });
  });

  it('API-key headers (X-API-Key, Authorization, ?api_key=): never a 5xx, never let in', async () => {
    const before = await tableCounts(service, ['api_clients', 'connect_sessions']);
    const nearKey = fc.oneof(
      anyText,
      fc.nat({ max: apiKey.length - 1 }).map((at) => `${apiKey.slice(0, at)}${apiKey[at] === 'a' ? 'b' : 'a'}${apiKey.slice(at + 1)}`),
      // (Leading and trailing blanks are not in the list: HTTP trims them from header values, so that is the real key.)
      fc.constantFrom(apiKey.slice(0, -1), `${apiKey}x`, apiKey.toUpperCase(), `${apiKey},${apiKey}`, `${apiKey} ${apiKey}`, apiKey.replace(/_/g, '-')),
    );
    const headerSafe = (text: string) => text.replace(/[^\t\x20-\x7e\x80-\xff]/g, '');
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('x-api-key', 'authorization', 'query'), nearKey, fc.constantFrom('', 'Bearer ', 'bearer ', 'Basic ', 'Token '), async (where, key, scheme) => {
        const path = where === 'query' ? `/v1/connections?api_key=${encodeBytes(key)}` : '/v1/connections';
        const headers = where === 'query' ? {} : { [where]: headerSafe(where === 'authorization' ? `${scheme}${key}` : key) };
        const answer = await client.request({ method: 'GET', path, headers });
        count('API-key headers', answer);
        expectNo5xx(answer, `GET ${path} ${JSON.stringify(headers).slice(0, 200)}`);
        expect([400, 401]).toContain(answer.status);
      }),
      options,
    );
    expect(await tableCounts(service, ['api_clients', 'connect_sessions'])).toStrictEqual(before);
  });

  it('sign and proxy inputs: never a 5xx of ours; nothing of the connection changes', async () => {
    const before = await service.db.sql.query('SELECT id, status::text, refresh_token_sealed, access_token_sealed FROM connections ORDER BY id');
    const shops = await tableCounts(service, ['shops', 'connections']);
    const segment = fc.oneof(fc.constantFrom('product', '202309', 'products', 'search', 'orders', 'authorization', 'shops', '..', '.', '%2e%2e', '%2F', '%00'), anyText.map(encodeBytes));
    const path = fc.array(segment, { minLength: 1, maxLength: 5 }).map((parts) => `/${parts.join('/')}`);
    const signBody = fc.oneof(
      fc.record({
        method: fc.oneof(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'get', 'HEAD', 'TRACE'), anyText),
        path: fc.oneof(path, anyText),
        query: fc.oneof(fc.dictionary(anyText, fc.oneof(anyText, fc.array(anyText, { maxLength: 2 }), fc.integer())), anyText),
        body: fc.oneof(fc.jsonValue({ maxDepth: 2 }), anyText),
        contentType: fc.oneof(anyText, fc.constantFrom('application/json', 'multipart/form-data')),
      }, { requiredKeys: [] }).map((value) => JSON.stringify(value)),
      fc.json({ maxDepth: 2 }),
    );
    const proxyCall = fc.record({
      method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'),
      path,
      query,
      body: fc.option(fc.oneof(fc.json({ maxDepth: 2 }), anyText)),
      shop: fc.oneof(fc.constant(shopId), anyText.map(encodeBytes)),
    });
    await fc.assert(
      fc.asyncProperty(fc.oneof(signBody.map((body) => ({ kind: 'sign' as const, body })), proxyCall.map((call) => ({ kind: 'proxy' as const, ...call }))), async (input) => {
        if (input.kind === 'sign') {
          const answer = await client.request({ method: 'POST', path: `/v1/shops/${shopId}/sign`, headers: { 'x-api-key': apiKey, 'content-type': 'application/json' }, body: input.body });
          count('sign inputs', answer);
          expectNo5xx(answer, `POST /v1/shops/:shopId/sign ${input.body.slice(0, 200)}`);
          return;
        }
        const target = `/v1/shops/${input.shop}/proxy${input.path}${input.query ? `?${input.query}` : ''}`;
        const hasBody = input.body !== null && !['GET', 'HEAD', 'OPTIONS'].includes(input.method);
        const answer = await client.request({
          method: input.method, path: target,
          headers: { 'x-api-key': apiKey, ...(hasBody ? { 'content-type': 'application/json' } : {}) },
          ...(hasBody ? { body: input.body! } : {}),
        });
        count('proxy inputs', answer);
        // TikTok's own refusals pass on as tiktok_* (502/503); anything else of ours must not be a 5xx.
        const code = answer.text.startsWith('{') ? (JSON.parse(answer.text) as { code?: unknown }).code : undefined;
        if (answer.status >= 500 && !(typeof code === 'string' && code.startsWith('tiktok_'))) expectNo5xx(answer, `${input.method} ${target}`);
      }),
      options,
    );
    expect(await service.db.sql.query('SELECT id, status::text, refresh_token_sealed, access_token_sealed FROM connections ORDER BY id')).toStrictEqual(before);
    expect(await tableCounts(service, ['shops', 'connections'])).toStrictEqual(shops);
  });

  it('TikTok webhook bodies and headers: 401 and nothing stored unless signed; signed ones 200, stored, processed without failure', async () => {
    const statuses = await service.db.sql.query('SELECT id, status::text FROM connections ORDER BY id');
    const inboxBefore = (await tableCounts(service, ['tiktok_webhook_inbox'])).tiktok_webhook_inbox!;
    const field = fc.oneof(anyText, fc.integer(), fc.double(), fc.bigInt().map(String), fc.constant(null), fc.constantFrom('9'.repeat(400), '0', '-1', '1e308', '99999999999999999'));
    const webhook = fc.oneof(
      fc.record({
        type: fc.oneof(fc.constantFrom(1, 5, 6, 7, 20, '7', '6', 0, -1, 1e21, 'x'), field),
        tts_notification_id: field,
        // Never the connected shop: a signed deauthorization of it would rightly change it.
        shop_id: fc.oneof(field, fc.bigInt({ min: 1n, max: 10n ** 19n }).map(String)),
        creator_open_id: field,
        timestamp: field,
        data: fc.oneof(fc.record({ expiration_time: field, order_id: field }, { requiredKeys: [] }), field, fc.jsonValue({ maxDepth: 2 })),
      }, { requiredKeys: [] }).map((value) => Buffer.from(JSON.stringify(value), 'utf8')),
      fc.json({ maxDepth: 3 }).map((text) => Buffer.from(text, 'utf8')),
      anyText.map((text) => Buffer.from(text, 'utf8')),
      fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
    ).filter((raw) => !raw.includes(shopId));
    let signed = 0;
    await fc.assert(
      fc.asyncProperty(webhook, fc.oneof(fc.constant('valid'), anyText, fc.constant('')), fc.constantFrom('/webhooks/tiktok', '/webhooks/tiktok/default', '/webhooks/tiktok/other'), async (raw, authorization, path) => {
        const valid = authorization === 'valid';
        const text = raw.toString('utf8');
        const headerValue = valid ? webhookSignature(simulatorApp.appKey, simulatorApp.appSecret, raw) : authorization.replace(/[^\t\x20-\x7e]/g, '');
        const answer = await client.request({ method: 'POST', path, headers: { 'content-type': 'application/json', ...(headerValue ? { authorization: headerValue } : {}) }, body: raw });
        count(valid ? 'webhooks (validly signed)' : 'webhooks (bad signature)', answer);
        expectNo5xx(answer, `POST ${path} ${text.slice(0, 200)}`);
        const accepted = valid && path !== '/webhooks/tiktok/other';
        expect(answer.status).toBe(accepted ? 200 : 401);
        if (accepted) signed += 1;
      }),
      options,
    );
    await service.core.webhooks.inboxWorker.drain();
    const inbox = await service.db.sql.query<{ stored: number; failed: number; unprocessed: number }>(
      'SELECT count(*)::int AS stored, count(last_error)::int AS failed, (count(*) - count(processed_at))::int AS unprocessed FROM tiktok_webhook_inbox',
    );
    recordFigures('fuzz: webhook inbox', { signedDeliveries: signed, stored: inbox[0]!.stored - inboxBefore, failedProcessing: inbox[0]!.failed, unprocessed: inbox[0]!.unprocessed });
    expect(inbox[0]!.stored - inboxBefore).toBeLessThanOrEqual(signed);
    expect(inbox[0]!.failed).toBe(0);
    expect(inbox[0]!.unprocessed).toBe(0);
    expect(await service.db.sql.query('SELECT id, status::text FROM connections ORDER BY id')).toStrictEqual(statuses);
  });

  it("TikTok's answers fed to the protocol clients: a result or a service error (never a crash, never a hang)", async () => {
    const envelopeField = fc.oneof(fc.integer(), fc.string({ unit: 'binary', maxLength: 20 }), fc.constant(null), fc.double(), fc.boolean(), fc.jsonValue({ maxDepth: 2 }));
    const tokenData = fc.record({
      access_token: envelopeField, access_token_expire_in: envelopeField, refresh_token: envelopeField, refresh_token_expire_in: envelopeField,
      open_id: envelopeField, seller_name: envelopeField, seller_base_region: envelopeField, user_type: envelopeField, granted_scopes: fc.oneof(envelopeField, fc.array(envelopeField, { maxLength: 3 })),
    }, { requiredKeys: [] });
    const body = fc.oneof(
      fc.record({ code: fc.oneof(fc.constantFrom(0, 105001, 105002, 105005, 36004005, 36009002, 36009003, 36009009, 36009010, 36004004, 101000), envelopeField), message: envelopeField, request_id: envelopeField, data: fc.oneof(tokenData, envelopeField) }, { requiredKeys: [] }).map((value) => JSON.stringify(value)),
      fc.json({ maxDepth: 3 }),
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.constantFrom('', '<html>502 Bad Gateway</html>', '{"code":0', '{"code":0,"data":{"access_token":"x"}}', '{"code":1e999}', '{"code":0,"data":null}'),
    );
    const answer = fc.record({
      status: fc.oneof(fc.constantFrom(200, 400, 401, 403, 404, 405, 429, 500, 502, 503, 504), fc.integer({ min: 100, max: 599 })),
      headers: fc.dictionary(fc.constantFrom('x-tt-logid', 'content-type', 'retry-after', 'x-request-id'), fc.string({ maxLength: 30 }), { maxKeys: 3 }),
      body,
      fails: fc.constantFrom<false | 'network' | 'body'>(false, false, false, false, 'network', 'body'),
    });
    const outcomes: Record<string, number> = {};
    const responseOf = (input: { status: number; headers: Record<string, string>; body: string; fails: false | string }) => async (): Promise<ResponseLike> => {
      if (input.fails === 'network') throw new TypeError('fetch failed');
      return {
        status: input.status,
        headers: { forEach: (callback) => Object.entries(input.headers).forEach(([name, value]) => callback(value, name)) },
        text: async () => {
          if (input.fails === 'body') throw new TypeError('terminated');
          return input.body;
        },
      };
    };
    const scopes = loadScopeIndex();
    await fc.assert(
      fc.asyncProperty(answer, fc.constantFrom('api', 'refresh', 'token-get', 'shops'), async (input, which) => {
        const fetch = responseOf(input);
        const api = createApiClient({ fetch, apiBaseUrl: 'http://tiktok.invalid', appKey: 'k', appSecret: 's', clock: systemClock, scopes, maxAttempts: 2, sleep: async () => undefined });
        const auth = createAuthClient({ fetch, authBaseUrl: 'http://tiktok.invalid', appKey: 'k', appSecret: 's' });
        let outcome: string;
        try {
          const result = which === 'api'
            ? await api.call({ method: 'GET', path: '/order/202309/orders', query: { ids: '1' }, accessToken: 'TTP_fuzz', shopCipher: 'cipher' })
            : which === 'shops' ? await api.getAuthorizedShops('TTP_fuzz')
            : which === 'refresh' ? await auth.refreshToken('refresh-token') : await auth.getToken('auth-code');
          if (which === 'refresh' || which === 'token-get') {
            // A token set that came through has what a refresh must store.
            const set = result as unknown as Record<string, unknown>;
            expect(typeof set.accessToken).toBe('string');
            expect(typeof set.refreshToken).toBe('string');
          }
          outcome = 'result';
        } catch (error) {
          if (!(error instanceof ServiceError)) throw new Error(`${which} threw ${String(error)} for ${JSON.stringify(input).slice(0, 300)}`, { cause: error });
          outcome = error.code;
        }
        outcomes[`${which} → ${outcome}`] = (outcomes[`${which} → ${outcome}`] ?? 0) + 1;
      }),
      { ...options, numRuns: runs * 4 },
    );
    recordFigures('fuzz: TikTok answers to the protocol clients', { cases: runs * 4, ...outcomes });
  });
});

