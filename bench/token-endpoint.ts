import { randomBytes, randomUUID } from 'node:crypto';
import { createServer as createNetServer } from 'node:net';
import type autocannon from 'autocannon';
import pg from 'pg';
import { Agent, request as undiciRequest } from 'undici';
import { performance } from 'node:perf_hooks';
import { createApiClientAdmin } from '../src/apps/api-clients.js';
import { openDatabase, type Database } from '../src/db/database.js';
import { migrate, readMigrations } from '../src/db/migrate.js';
import { createApiClientStore } from '../src/db/stores/api-client-store.js';
import { migrationsDirectory } from '../src/db/target.js';
import { systemClock } from '../src/shared/clock.js';
import { createApiClient, createAuthClient } from '../src/tiktok/index.js';
import { parseKeyRing } from '../src/vault/key-ring.js';
import { sealTokens } from '../src/vault/tokens.js';
import { medianLatency, throughputOf, timedRound, warmUpSecondsFor, type LoadTarget, type Route } from './support/load.js';
import { seedConnections, seedFloor } from './support/seed.js';
import { logBytes, startServiceProcess, type ServiceProcess } from './support/service-process.js';
import { createVault, type Vault } from '../src/vault/vault.js';
import { benchApp } from './support/bench-app.js';
import { startChild } from './support/child.js';
import { loadScopeIndex } from '../src/tiktok/scopes.js';

const scopes = loadScopeIndex();

/**
 * GET /v1/shops/:shopId/token against the floor (issue #12): the simplest Express 5 + pg route (one
 * table, one primary-key read of a 64-byte value, pool of 10, plain JSON, no logging) as the
 * headline, and the same stack doing a shop ⋈ connection read (the service's read before the
 * shop_credentials read model) as a second line. The service runs as `npm start` runs it
 * (production settings, request log on); then the proxy's added latency over calling TikTok (the
 * simulator, in its own process) directly. Every server runs in a process of its own so that
 * autocannon shares no event loop with them. Creates and drops its own database.
 */
export async function benchTokenEndpoint(parts: { throughput: boolean; proxy: boolean } = { throughput: true, proxy: true }): Promise<void> {
  const connections = Number(process.env.BENCH_SHOPS ?? 1000);
  await withBenchDatabase(async (bench) => {
    const shopIds = parts.throughput ? await seedConnections(bench.pool, bench.vault, { connections, shopsPerConnection: 1, prefix: 'small' }) : [];
    const floorIds = parts.throughput ? await seedFloor(bench.pool, connections) : [];
    const proxyShops = parts.proxy ? await connectSimulatorShops(bench.db, bench.vault, bench.simulatorUrl, 24) : [];
    const service = await bench.startService();
    console.log(`service ready ${service.readyMs.toFixed(0)} ms after start (NODE_ENV=production, LOG_LEVEL default: info, request log to ${service.logFile})`);
    if (parts.throughput) {
      await benchThroughput({ service: service.url, floor: bench.floorUrl, key: bench.key, shopIds, floorIds, seconds: Number(process.env.BENCH_SECONDS ?? 10), rounds: Number(process.env.BENCH_ROUNDS ?? 3), pool: bench.pool });
      console.log(`  request log written: ${(logBytes(service.logFile) / 1e6).toFixed(1)} MB`);
    }
    if (parts.proxy) await benchProxy({ service: service.url, simulatorUrl: bench.simulatorUrl, shops: proxyShops, key: bench.key, seconds: Number(process.env.BENCH_SECONDS ?? 10) });
  });
}

export interface BenchDatabase {
  db: Database;
  pool: pg.Pool;
  vault: Vault;
  keys: string;
  url: string;
  simulatorUrl: string;
  /** The floor servers (simplest route and join route), run with plain node from a bundle, as the service is. */
  floorUrl: string;
  floorRssMb(): number;
  /** The floor servers' process id. */
  floorPid: number;
  /** An API key created as an operator would (`api-clients create` without --rate-limit). */
  key: string;
  /** `options.bundle`: another build of the project (`node scripts/build.mjs <dir>`) instead of dist. */
  startService(env?: Record<string, string>, options?: { nodeFlags?: string[]; bundle?: string }): Promise<ServiceProcess>;
}

/** A fresh Postgres database (migrated), the simulator and floor processes; everything stopped and dropped after `work`. */
export async function withBenchDatabase(work: (bench: BenchDatabase) => Promise<void>, options: { simulatorEnv?: Record<string, string> } = {}): Promise<void> {
  const server = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
  const name = `tsc_bench_token_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  const keys = `k1:${randomBytes(32).toString('base64')}`;
  const vault = createVault(parseKeyRing(keys));
  const db = await openDatabase({ kind: 'postgres', url: url.toString(), poolSize: 2 });
  const pool = new pg.Pool({ connectionString: url.toString(), max: 2 });
  // pool.end() resolves before its clients' sockets close, so the DROP DATABASE … WITH (FORCE) below can still
  // reach one of them as an 'error' event ("terminating connection due to administrator command"); without a
  // listener that event ended the bench after its figures were printed.
  pool.on('error', () => undefined);
  const simulator = await startChild<{ url: string }>('bench/support/simulator-server.ts', options.simulatorEnv ?? {});
  const services: ServiceProcess[] = [];
  let floor: Awaited<ReturnType<typeof startChild<{ url: string }>>> | undefined;
  try {
    await migrate(db.sql, await readMigrations(migrationsDirectory));
    await pool.query('CREATE EXTENSION IF NOT EXISTS pg_prewarm'); // PostgreSQL's contrib module: reads a relation into the buffer cache
    const { key } = await createApiClientAdmin({ store: createApiClientStore(db.prisma), clock: systemClock }).create({ name: 'bench' });
    floor = await startChild('bench/support/floor-servers.ts', { BENCH_DATABASE_URL: url.toString() }, { plain: true });
    await work({
      db, pool, vault, keys, key, url: url.toString(), simulatorUrl: simulator.ready.url, floorUrl: floor.ready.url, floorRssMb: floor.rssMb, floorPid: floor.pid,
      startService: async (env, options) => {
        const service = await startServiceProcess({ port: await freePort(), databaseUrl: url.toString(), keys, simulatorUrl: simulator.ready.url, ...(env ? { env } : {}), ...options });
        services.push(service);
        return service;
      },
    });
  } finally {
    for (const service of services) await service.stop();
    await floor?.stop();
    await simulator.stop();
    await pool.end();
    await db.close();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

/**
 * The headline pair, the floor and the service, under the same load (50 connections, a random shop or
 * row per request) in alternating rounds (the order swaps each round), so that drift on a shared
 * machine (Postgres housekeeping, other processes) falls on both alike; then the join route, for
 * reference, in as many rounds of its own. The routes read different tables through one Postgres
 * buffer cache (128 MB by default), which on 300,000 shops cannot hold them all: the join route reads
 * about 120 MB of shops and connections, so it no longer runs between the headline rounds, and every
 * timed round follows a prewarm of its route's relations and an untimed warm-up of the route, so that no
 * route is measured on the cache another one just filled. Throughputs are summed over all rounds; p99s
 * are the medians of the rounds' p99s. `pool`: a connection to the bench database, for the prewarm.
 */
async function benchThroughput(input: LoadTarget & { seconds: number; rounds: number }): Promise<void> {
  const { seconds, rounds } = input;
  const headline: Route[] = ['floor', 'service'];
  console.log(`token endpoint: ${input.shopIds.length} shops, 50 connections, ${rounds} alternating rounds of ${seconds} s for the floor and the service, then ${rounds} for the join route (each round after its tables are prewarmed and ${warmUpSecondsFor(seconds)} s of untimed warm-up of its route)`);
  const results: Record<Route, autocannon.Result>[] = [];
  const line = (result: Record<Route, autocannon.Result>, route: Route) => `${route} ${result[route].requests.average.toFixed(0)} req/s (p99 ${result[route].latency.p99} ms)`;
  for (let round = 0; round < rounds; round++) {
    const result = {} as Record<Route, autocannon.Result>;
    for (let i = 0; i < headline.length; i++) {
      const route = headline[(round + i) % headline.length]!;
      result[route] = await timedRound(input, route, seconds);
    }
    results.push(result);
    console.log(`  round ${round + 1}: ${line(result, 'floor')}, ${line(result, 'service')}, ratio ${(result.service.requests.average / result.floor.requests.average).toFixed(2)}`);
  }
  for (const [round, result] of results.entries()) {
    result.join = await timedRound(input, 'join', seconds);
    console.log(`  join round ${round + 1}: ${line(result, 'join')}`);
  }
  const order: Route[] = [...headline, 'join'];
  const of = (route: Route) => results.map((result) => result[route]);
  const total = (route: Route) => throughputOf(of(route), seconds);
  const median = (route: Route, percentile: 'p50' | 'p99') => medianLatency(of(route), percentile);
  const non2xx = (route: Route) => results.reduce((sum, result) => sum + result[route].non2xx + result[route].errors, 0);
  if (order.some((route) => non2xx(route) > 0)) console.log(`  non-2xx or errors: service ${non2xx('service')}, floor ${non2xx('floor')}, join ${non2xx('join')}`);
  const describe = (route: Route) => `${total(route).toFixed(0)} req/s, p50 ${median(route, 'p50')} ms, p99 ${median(route, 'p99')} ms`;
  console.log(`  simplest route (one table, primary key, 64-byte value): ${describe('floor')}`);
  console.log(`  join route (a shop ⋈ connection read, as the service did): ${describe('join')}`);
  console.log(`  service (npm start, production, request log on):        ${describe('service')}`);
  const ratio = total('service') / total('floor');
  const p99Ratio = median('service', 'p99') / Math.max(median('floor', 'p99'), 0.001);
  console.log(`  token headline: throughput ${ratio.toFixed(2)}× the simplest route (goal ≥ 0.8): ${ratio >= 0.8 ? 'met' : 'NOT met'}`);
  console.log(`  token headline: p99 ${p99Ratio.toFixed(2)}× the simplest route (goal ≤ 1.5): ${p99Ratio <= 1.5 ? 'met' : 'NOT met'}`);
  const joinRatio = total('service') / total('join');
  const joinP99 = median('service', 'p99') / Math.max(median('join', 'p99'), 0.001);
  console.log(`  second line: throughput ${joinRatio.toFixed(2)}× the join route, p99 ${joinP99.toFixed(2)}× (for reference; no goal)`);
}

interface ProxyShop {
  shop: { id: string; cipher: string };
  accessToken: string;
}

/**
 * The proxy against the simulator called directly with pre-signed requests, through the same undici
 * client, one request at a time, each timed in microseconds (autocannon's percentiles are whole
 * milliseconds), with GET /healthz (one hop to the service: what any proxy adds at the least)
 * interleaved. Two cases: busy (calls back to back, rotating over several shops so that each stays
 * under TikTok's 50 a second per shop and API) and quiet (one shop, 25 ms between calls, so every
 * process idles between calls and each hop pays for waking it).
 */
async function benchProxy(input: { service: string; simulatorUrl: string; shops: ProxyShop[]; key: string; seconds: number }) {
  const path = '/order/202309/orders';
  const signer = createApiClient({ scopes, fetch, apiBaseUrl: input.simulatorUrl, ...benchApp, clock: systemClock });
  const agent = new Agent({ keepAliveTimeout: 30_000 });
  const direct = (shop: ProxyShop) => signer.prepare({ method: 'GET', path, query: { ids: '1' }, accessToken: shop.accessToken, shopCipher: shop.shop.cipher });
  const proxied = (shop: ProxyShop) => ({ url: `${input.service}/v1/shops/${shop.shop.id}/proxy${path}?ids=1`, headers: { 'x-api-key': input.key } });
  type Target = { url: string; headers: Record<string, string> };
  /**
   * The series in turn, one call each per round (hop, direct, proxied, hop, …), so that whatever the
   * shared machine does meanwhile falls on all of them alike.
   */
  const time = async (series: Target[][], count: number, paceMs: number) => {
    const samples = series.map(() => ({ latencies: [] as number[], own: [] as number[], db: [] as number[], tiktok: [] as number[], failures: 0 }));
    for (let i = 0; i < count + 20; i++) {
      for (const [index, targets] of series.entries()) {
        const target = targets[i % targets.length]!;
        const sample = samples[index]!;
        const started = performance.now();
        const response = await undiciRequest(target.url, { headers: target.headers, dispatcher: agent });
        await response.body.text();
        const elapsed = performance.now() - started;
        const timing = /db;dur=([\d.]+), tiktok;dur=([\d.]+), wait;dur=([\d.]+), total;dur=([\d.]+)/.exec(String(response.headers['server-timing'] ?? ''));
        if (i >= 20) {
          // the first 20 rounds warm up connections and code
          sample.latencies.push(elapsed);
          if (timing) {
            sample.own.push(Number(timing[4]) - Number(timing[3]));
            sample.db.push(Number(timing[1]));
            sample.tiktok.push(Number(timing[2]));
          }
        }
        if (response.statusCode !== 200) sample.failures++;
        if (paceMs > 0) await new Promise((resolve) => setTimeout(resolve, paceMs));
      }
    }
    const median = (values: number[]) => values.sort((x, y) => x - y)[Math.floor(values.length * 0.5)] ?? Number.NaN;
    return samples.map((sample) => ({
      p50: median(sample.latencies),
      p99: [...sample.latencies].sort((x, y) => x - y)[Math.floor(sample.latencies.length * 0.99)]!,
      failures: sample.failures,
      ownP50: median(sample.own),
      dbP50: median(sample.db),
      tiktokP50: median(sample.tiktok),
    }));
  };
  type Timing = Awaited<ReturnType<typeof time>>[number];
  const report = (label: string, timings: Timing[]) => {
    const [hop, straight, through] = timings as [Timing, Timing, Timing];
    const added = through.p50 - straight.p50;
    console.log(`proxy, ${label}:`);
    console.log(`  one hop to the service (GET /healthz): p50 ${hop.p50.toFixed(2)} ms: what any proxy adds at the least`);
    console.log(`  TikTok (simulator) directly: p50 ${straight.p50.toFixed(2)} ms, p99 ${straight.p99.toFixed(2)} ms (${straight.failures} not 200)`);
    console.log(`  through the proxy:           p50 ${through.p50.toFixed(2)} ms, p99 ${through.p99.toFixed(2)} ms (${through.failures} not 200)`);
    const verdict = added <= 1 ? 'met' : hop.p50 > 1 ? 'NOT met: one hop alone costs more here, as it would for any proxy' : 'NOT met';
    console.log(`  added p50, end to end: ${added.toFixed(2)} ms (goal ≤ 1 ms): ${verdict}`);
    console.log(`    the service's own work (Server-Timing total − wait): p50 ${through.ownP50.toFixed(2)} ms`);
    console.log(`    the credential read (db; a GET overlaps it with TikTok): p50 ${through.dbP50.toFixed(2)} ms`);
    console.log(`    TikTok as the service saw it: p50 ${through.tiktokP50.toFixed(2)} ms (${straight.p50.toFixed(2)} ms directly)`);
  };

  const healthz = [{ url: `${input.service}/healthz`, headers: {} }];
  const quietCount = input.seconds * 40;
  const one = input.shops.slice(0, 1);
  report(`quiet: one shop, ${quietCount} calls of each at 40 per second`, await time([healthz, one.map(direct), one.map(proxied)], quietCount, 25));
  const busyCount = input.seconds * 150;
  report(`busy: ${input.shops.length} shops in rotation, ${busyCount} calls of each back to back`, await time([healthz, input.shops.map(direct), input.shops.map(proxied)], busyCount, 0));
  await agent.close();
  const counters = (await (await fetch(`${input.simulatorUrl}/_sim/counters`)).json()) as { badSignatures: number };
  console.log(`  simulator bad signatures: ${counters.badSignatures}`);
}

/** Authorizes `count` new simulator sellers and stores a connection for each one's shop with its real token. */
async function connectSimulatorShops(db: Database, vault: Vault, simulatorUrl: string, count: number): Promise<ProxyShop[]> {
  const post = async <T>(path: string, body: unknown) =>
    (await (await fetch(`${simulatorUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json()) as T;
  const auth = createAuthClient({ fetch, authBaseUrl: simulatorUrl, ...benchApp });
  const shops: ProxyShop[] = [];
  for (let i = 0; i < count; i++) {
    const seller = await post<{ openId: string; shops: { id: string; cipher: string }[] }>('/_sim/sellers', { name: `Bench Seller ${i}` });
    const { code } = await post<{ code: string }>('/_sim/auth-codes', { openId: seller.openId });
    const tokens = await auth.getToken(code);
    await insertConnection(db, vault, seller.shops[0]!, tokens.accessToken, tokens.grantedScopes ?? []);
    shops.push({ shop: seller.shops[0]!, accessToken: tokens.accessToken });
  }
  return shops;
}

async function insertConnection(db: Database, vault: Vault, shop: { id: string; cipher: string }, accessToken: string, scopes: string[]) {
  const id = randomUUID();
  const sealed = sealTokens(vault, id, { accessToken, refreshToken: `TTP_bench_refresh_${randomBytes(8).toString('hex')}` });
  const now = Date.now();
  await db.sql.query(
    `INSERT INTO connections (id, open_id, user_type, seller_name, granted_scopes, access_token_sealed, refresh_token_sealed,
       encryption_key_id, access_token_expires_at, refresh_token_expires_at, refresh_due_at, authorized_at)
     VALUES ($1, $2, 0, 'Bench Seller', $3, $4, $5, $6, $7, $8, $9, $10)`,
    [id, `bench_${id}`, scopes, sealed.accessTokenSealed, sealed.refreshTokenSealed, sealed.encryptionKeyId,
      new Date(now + 7 * 86_400_000), new Date(now + 90 * 86_400_000), new Date(now + 6 * 86_400_000), new Date(now)],
  );
  await db.sql.query(`INSERT INTO shops (id, connection_id, cipher, name, region) VALUES ($1, $2, $3, 'Bench Shop', 'US')`, [shop.id, id, shop.cipher]);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
