import { randomBytes, randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import autocannon from 'autocannon';
import express from 'express';
import pg from 'pg';
import { createApiClientAdmin } from '../src/apps/api-clients.js';
import { loadConfig } from '../src/config.js';
import { createApiClientStore } from '../src/db/stores/api-client-store.js';
import { startService } from '../src/main.js';
import { systemClock } from '../src/shared/clock.js';
import { createLogger } from '../src/shared/logger.js';
import { createApiClient, createAuthClient } from '../src/tiktok/index.js';
import { sealTokens } from '../src/vault/tokens.js';
import { parseKeyRing } from '../src/vault/key-ring.js';
import { createVault } from '../src/vault/vault.js';

/**
 * GET /v1/shops/:shopId/token against a bare Express route doing the same single indexed read on
 * the same Postgres with the same pool size; then the proxy's added latency over calling the
 * simulator directly. Creates and drops its own database on BENCH_POSTGRES_URL.
 */
export async function benchTokenEndpoint(): Promise<void> {
  const server = process.env.BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  const connections = Number(process.env.BENCH_SHOPS ?? 1000);
  const seconds = Number(process.env.BENCH_SECONDS ?? 10);
  const name = `tsc_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  const keys = `k1:${randomBytes(32).toString('base64')}`;
  const port = await freePort();
  const config = loadConfig({
    NODE_ENV: 'test', LOG_LEVEL: 'silent', PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATABASE_URL: url.toString(), TOKEN_ENCRYPTION_KEYS: keys, COOKIE_SECRET: randomBytes(24).toString('hex'),
  });
  const service = await startService(config, { logger: createLogger('silent') });
  const bare = new pg.Pool({ connectionString: url.toString(), max: 10 });
  let bareServer: Server | undefined;
  try {
    const shopIds = await seed(service.db.sql, parseKeyRing(keys), connections);
    const { key } = await createApiClientAdmin({ store: createApiClientStore(service.db.prisma), clock: systemClock })
      .create({ name: 'bench', rateLimitPerMinute: 1_000_000_000 });

    const app = express();
    app.disable('x-powered-by');
    app.get('/shops/:shopId/token', async (req, res) => {
      const { rows } = await bare.query(
        `SELECT s.id, s.cipher, c.id AS connection_id, c.status, c.granted_scopes, c.access_token_sealed, c.access_token_expires_at
           FROM shops s JOIN connections c ON c.id = s.connection_id WHERE s.id = $1 AND s.removed_at IS NULL`,
        [req.params.shopId],
      );
      res.json(rows[0]);
    });
    bareServer = await new Promise((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    const barePort = (bareServer!.address() as { port: number }).port;

    const pick = () => shopIds[Math.floor(Math.random() * shopIds.length)]!;
    const load = (base: string, path: (shop: string) => string, headers: Record<string, string> = {}) =>
      autocannon({
        url: base, connections: 50, duration: seconds, headers,
        requests: [{ setupRequest: (request) => ({ ...request, path: path(pick()) }) }],
      });
    console.log(`token endpoint: ${connections} shops, 50 connections, ${seconds} s each (warm-up 2 s each first)`);
    await autocannon({ url: `http://127.0.0.1:${barePort}/shops/${shopIds[0]}/token`, connections: 10, duration: 2 });
    await autocannon({ url: `${service.url}/v1/shops/${shopIds[0]}/token`, connections: 10, duration: 2, headers: { 'x-api-key': key } });
    const bareResult = await load(`http://127.0.0.1:${barePort}`, (shop) => `/shops/${shop}/token`);
    const serviceResult = await load(service.url, (shop) => `/v1/shops/${shop}/token`, { 'x-api-key': key });
    if (serviceResult.non2xx > 0 || bareResult.non2xx > 0) console.log(`  non-2xx: service ${serviceResult.non2xx}, bare ${bareResult.non2xx}`);
    const ratio = serviceResult.requests.average / bareResult.requests.average;
    const p99 = serviceResult.latency.p99 / Math.max(bareResult.latency.p99, 0.001);
    console.log(`  bare route:  ${bareResult.requests.average.toFixed(0)} req/s, p50 ${bareResult.latency.p50} ms, p99 ${bareResult.latency.p99} ms`);
    console.log(`  service:     ${serviceResult.requests.average.toFixed(0)} req/s, p50 ${serviceResult.latency.p50} ms, p99 ${serviceResult.latency.p99} ms`);
    console.log(`  throughput ratio ${ratio.toFixed(2)} (goal ≥ 0.8): ${ratio >= 0.8 ? 'met' : 'NOT met'}`);
    console.log(`  p99 ratio ${p99.toFixed(2)} (goal ≤ 1.5): ${p99 <= 1.5 ? 'met' : 'NOT met'}`);

    await benchProxy(service, key, config, seconds);
  } finally {
    bareServer?.close();
    await bare.end();
    await service.close();
    await service.db.close();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

/** The proxy vs the simulator called directly with a pre-signed request, at 40 req/s (under TikTok's 50 QPS per shop and path). */
async function benchProxy(service: Awaited<ReturnType<typeof startService>>, key: string, config: ReturnType<typeof loadConfig>, seconds: number) {
  const control = service.simulator!.control;
  const seller = control.addSeller({ name: 'Bench Seller' });
  const tokens = await createAuthClient({ fetch, authBaseUrl: config.tiktok.authBaseUrl, appKey: config.tiktok.appKey, appSecret: config.tiktok.appSecret })
    .getToken(control.issueAuthCode({ openId: seller.openId }));
  const shop = seller.shops[0]!;
  await seedOne(service.db.sql, parseKeyRing(config.encryptionKeys!), { id: shop.id, cipher: shop.cipher }, tokens.accessToken, tokens.grantedScopes);
  const path = '/order/202309/orders';
  const signed = createApiClient({ fetch, apiBaseUrl: config.tiktok.apiBaseUrl, appKey: config.tiktok.appKey, appSecret: config.tiktok.appSecret, clock: systemClock })
    .prepare({ method: 'GET', path, query: { ids: '1' }, accessToken: tokens.accessToken, shopCipher: shop.cipher });
  const options = { connections: 1, overallRate: 40, duration: seconds };
  control.resetCounters();
  const direct = await autocannon({ ...options, url: signed.url, headers: signed.headers });
  const proxied = await autocannon({ ...options, url: `${service.url}/v1/shops/${shop.id}/proxy${path}?ids=1`, headers: { 'x-api-key': key } });
  const added = proxied.latency.p50 - direct.latency.p50;
  console.log(`proxy (GET ${path}, 1 connection, 40 req/s, ${seconds} s):`);
  console.log(`  simulator directly: p50 ${direct.latency.p50} ms, p99 ${direct.latency.p99} ms (${direct.non2xx} non-2xx)`);
  console.log(`  through the proxy:  p50 ${proxied.latency.p50} ms, p99 ${proxied.latency.p99} ms (${proxied.non2xx} non-2xx)`);
  console.log(`  added p50 ${added.toFixed(2)} ms (goal ≤ 1 ms): ${added <= 1 ? 'met' : 'NOT met'}; simulator bad signatures: ${control.counters().badSignatures}`);
}

type Sql = Awaited<ReturnType<typeof startService>>['db']['sql'];

async function seed(sql: Sql, ring: ReturnType<typeof parseKeyRing>, count: number): Promise<string[]> {
  const shopIds: string[] = [];
  for (let i = 0; i < count; i++) {
    const shopId = String(7_100_000_000_000_000_000n + BigInt(i));
    await seedOne(sql, ring, { id: shopId, cipher: `ROW_bench${i}` }, `TTP_bench_access_${i}_${randomBytes(16).toString('hex')}`, ['seller.order.info']);
    shopIds.push(shopId);
  }
  return shopIds;
}

async function seedOne(sql: Sql, ring: ReturnType<typeof parseKeyRing>, shop: { id: string; cipher: string }, accessToken: string, scopes: string[]) {
  const id = randomUUID();
  const sealed = sealTokens(createVault(ring), id, { accessToken, refreshToken: `TTP_bench_refresh_${randomBytes(8).toString('hex')}` });
  const now = Date.now();
  await sql.query(
    `INSERT INTO connections (id, open_id, user_type, seller_name, granted_scopes, access_token_sealed, refresh_token_sealed,
       encryption_key_id, access_token_expires_at, refresh_token_expires_at, refresh_due_at, authorized_at)
     VALUES ($1, $2, 0, 'Bench Seller', $3, $4, $5, $6, $7, $8, $9, $10)`,
    [id, `bench_${id}`, scopes, sealed.accessTokenSealed, sealed.refreshTokenSealed, sealed.encryptionKeyId,
      new Date(now + 7 * 86_400_000), new Date(now + 90 * 86_400_000), new Date(now + 6 * 86_400_000), new Date(now)],
  );
  await sql.query(`INSERT INTO shops (id, connection_id, cipher, name, region) VALUES ($1, $2, $3, 'Bench Shop', 'US')`, [shop.id, id, shop.cipher]);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
