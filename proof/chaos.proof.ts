import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulatorApp } from '../src/config.js';
import { CookieBrowser, location } from '../test/connections/browser.js';
import { startTcpProxy } from '../test/support/tcp-proxy.js';
import { createEmptyPostgresDatabase } from '../test/support/database.js';
import { freePort, testEnv, type TestService } from '../test/support/service.js';
import { envNumber, logDir, recordFigures, rememberSecrets } from './support/figures.js';
import { cli, sleep, startService, startTsx, until, type Child } from './support/processes.js';
import { writeFileSync } from 'node:fs';

/**
 * Chaos: two service replicas started as `npm start` starts them (node on the built bundle) on one fresh
 * Postgres database (through a TCP proxy that can stop or freeze it), the simulator as its own
 * process in strict rotation with short access tokens, callers hammering the token endpoint, and:
 * kill -9s of a replica (many aimed at a refresh in flight), a slow-TikTok phase past the old 10 s
 * refresh timeout, a TikTok 5xx outage, a database stop and a database freeze, each followed by
 * recovery without a restart. A second set of sellers is connected after the kills, so the later phases
 * prove that nothing else loses a grant (a kill inside TikTok's round trip may, by design: refresh_lost). Tunable: PROOF_CHAOS_KILLS (50), PROOF_CHAOS_SELLERS (6),
 * PROOF_CHAOS_TOKEN_SECONDS (30), PROOF_CHAOS_SLOW_SECONDS (30), PROOF_CHAOS_OUTAGE_SECONDS (20),
 * PROOF_CHAOS_DB_SECONDS (10), PROOF_CHAOS_CALLERS (4 concurrent callers, each pausing 50 ms between requests).
 */
const kills = envNumber('PROOF_CHAOS_KILLS', 50);
const sellers = envNumber('PROOF_CHAOS_SELLERS', 6);
const tokenSeconds = envNumber('PROOF_CHAOS_TOKEN_SECONDS', 30);
const slowSeconds = envNumber('PROOF_CHAOS_SLOW_SECONDS', 30);
const outageSeconds = envNumber('PROOF_CHAOS_OUTAGE_SECONDS', 20);
const databaseSeconds = envNumber('PROOF_CHAOS_DB_SECONDS', 10);
/** A token with less than this left may rightly be refused while TikTok or the database is away. */
const minValidityMs = 10_000;

type Phase = 'setup' | 'kills' | 'slow-tiktok' | 'tiktok-outage' | 'database-stop' | 'database-freeze' | 'recovery';

let phase: Phase = 'setup';
let database: { url: string; drop(): Promise<void> };
let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
let direct: pg.Client;
let simulator: Child;
let simulatorUrl: string;
const replicas: { name: string; port: number; url: string; child?: Child; starts: number; killing?: boolean }[] = [];
let serviceEnv: Record<string, string>;
let apiKey: string;
const shops: string[] = [];
const agent = new Agent({ keepAliveTimeout: 10_000, connections: 16 });

const figures = {
  requests: 0,
  served: 0,
  byCode: {} as Record<string, number>,
  byPhase: {} as Record<string, Record<string, number>>,
  replicaDown: 0,
  hung: 0,
  validTokenRefused: 0,
  refusedExamples: [] as string[],
  kills: 0,
  aimedKills: 0,
  restarts: 0,
  /** Replica exits nobody asked for (a crash); the replica is started again so the run goes on. */
  crashes: [] as string[],
  /** SIGTERMs sent to a replica with a refresh waiting for TikTok: its exit code and how long it took. */
  gracefulStops: [] as { exit: string; seconds: number }[],
};
/** The latest token each shop was served, with its expiry. */
const lastServed = new Map<string, { token: string; expiresAt: number }>();

async function sim(method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${simulatorUrl}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await response.text();
  if (response.status >= 400) throw new Error(`simulator ${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

function startReplica(replica: (typeof replicas)[number]): void {
  replica.starts += 1;
  const child = startService(replica.name, { ...serviceEnv, PORT: String(replica.port) }, `chaos-${replica.name}`);
  replica.child = child;
  void child.exited.then((how) => {
    if (replica.killing || stopping || replica.child !== child) return;
    figures.crashes.push(`${replica.name} exited (${how}) during ${phase}`);
    startReplica(replica);
  });
}
let stopping = false;

const healthy = async (url: string) => (await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) })).status === 200;

/** One caller: asks for a shop's token on a replica, and books the answer. */
async function askToken(replica: (typeof replicas)[number], shopId: string): Promise<void> {
  figures.requests += 1;
  const started = Date.now();
  const startedIn = phase;
  let key: string;
  try {
    const response = await request(`${replica.url}/v1/shops/${shopId}/token`, { dispatcher: agent, headers: { 'x-api-key': apiKey }, headersTimeout: 20_000, bodyTimeout: 20_000 });
    const text = await response.body.text();
    const body = text.startsWith('{') ? (JSON.parse(text) as { code?: string; accessToken?: string; expiresAt?: string }) : {};
    key = `${response.statusCode}${body.code ? ` ${body.code}` : ''}`;
    if (response.statusCode === 200 && body.accessToken && body.expiresAt) {
      figures.served += 1;
      lastServed.set(shopId, { token: body.accessToken, expiresAt: Date.parse(body.expiresAt) });
    } else if (response.statusCode >= 500 || response.statusCode === 409) {
      const known = lastServed.get(shopId);
      // The database being away while the request ran excuses its refusal: a request sent during a
      // partition holds a connection that is cut when the network heals, so it is answered (503
      // database_unavailable) just after the phase ends. Anything sent once the database is back must be served.
      const databaseAway = (p: Phase) => p === 'database-stop' || p === 'database-freeze';
      const excused = databaseAway(startedIn) || databaseAway(phase);
      if (!excused && known && known.expiresAt - started > minValidityMs) {
        figures.validTokenRefused += 1;
        if (figures.refusedExamples.length < 10) figures.refusedExamples.push(`${phase}: ${key} with ${Math.round((known.expiresAt - started) / 1000)} s left`);
      }
    }
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
      figures.hung += 1;
      key = 'hung (20 s)';
    } else {
      figures.replicaDown += 1;
      key = 'replica down';
    }
  }
  figures.byCode[key] = (figures.byCode[key] ?? 0) + 1;
  const perPhase = (figures.byPhase[phase] ??= {});
  perPhase[key] = (perPhase[key] ?? 0) + 1;
}

/** Callers hammering the token endpoint on both replicas until `stop()`. */
function hammer(callers: number) {
  let running = true;
  const loops = Array.from({ length: callers }, async (_, index) => {
    let turn = index;
    while (running) {
      const replica = replicas[turn % replicas.length]!;
      await askToken(replica, shops[turn % shops.length]!);
      turn += 1;
      await sleep(50);
    }
  });
  return { stop: async () => { running = false; await Promise.all(loops); } };
}

/** The owner of a refresh claim in flight (its pid is the middle part of `host:pid:random`), if any. */
async function claimInFlight(): Promise<number | undefined> {
  const { rows } = await direct.query<{ owner: string }>('SELECT claim_owner AS owner FROM connections WHERE claim_owner IS NOT NULL AND claim_expires_at > now() LIMIT 1');
  const owner = rows[0]?.owner;
  return owner ? Number(owner.split(':')[1]) : undefined;
}

/**
 * `sellers` new sellers connect through the whole OAuth flow: connect link → TikTok (the simulator) →
 * callback; their shops join those the callers ask for. Merchant refs are `<prefix>-<n>`.
 */
async function connectSellers(prefix: string): Promise<void> {
  for (let index = 0; index < sellers; index += 1) {
    const seller = (await sim('POST', '/_sim/sellers', { name: `Chaos seller ${prefix} ${index}` })) as { openId: string; shops: { id: string }[] };
    const session = await fetch(`${replicas[0]!.url}/v1/connect-sessions`, {
      method: 'POST', headers: { 'x-api-key': apiKey, 'content-type': 'application/json' }, body: JSON.stringify({ merchantRef: `${prefix}-${index}` }),
    });
    const { url } = (await session.json()) as { url: string };
    const browser = new CookieBrowser({ url: replicas[0]!.url } as TestService);
    const path = new URL(url).pathname;
    expect((await browser.request(path)).status).toBe(200);
    const state = location(await browser.postForm(`${path}/authorize`)).searchParams.get('state')!;
    const settings = (await sim('GET', '/_sim/state')) as { settings: { appScopes: string[] } };
    const fields: [string, string][] = [['service_id', simulatorApp.serviceId], ['decision', 'approve'], ['state', state], ['open_id', seller.openId]];
    for (const scope of settings.settings.appScopes) fields.push(['scope', scope]);
    const callback = location(await browser.postForm(`${simulatorUrl}/open/authorize`, fields));
    expect((await browser.request(callback.href)).status).toBe(303);
    shops.push(seller.shops[0]!.id);
  }
}

async function connectionStates(): Promise<{ status: string; count: number }[]> {
  const { rows } = await direct.query<{ status: string; count: number }>('SELECT status::text AS status, count(*)::int AS count FROM connections GROUP BY 1 ORDER BY 1');
  return rows;
}

beforeAll(async () => {
  database = await createEmptyPostgresDatabase();
  direct = new pg.Client({ connectionString: database.url });
  await direct.connect();
  const target = new URL(database.url);
  proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  const proxied = new URL(database.url);
  proxied.port = String(proxy.port);
  proxied.hostname = '127.0.0.1';

  for (const name of ['replica-a', 'replica-b']) {
    const port = await freePort();
    replicas.push({ name, port, url: `http://127.0.0.1:${port}`, starts: 0 });
  }
  // The simulator, its own process, redirecting to replica A (the public URL of both, as behind a load balancer).
  let announced: (url: string) => void;
  const simulatorUp = new Promise<string>((resolve) => (announced = resolve));
  simulator = startTsx('simulator', ['proof/support/simulator-main.ts'], {
    SIM_REDIRECT_URL: `${replicas[0]!.url}/oauth/tiktok/callback`, SIM_ACCESS_TOKEN_SECONDS: String(tokenSeconds), SIM_ROTATION: 'strict',
  }, 'chaos-simulator', (line) => {
    const match = /^listening (\S+)/.exec(line);
    if (match) announced(match[1]!);
  });
  simulatorUrl = await simulatorUp;
  rememberSecrets(simulatorApp.appSecret);

  serviceEnv = {
    ...testEnv,
    NODE_ENV: 'development',
    LOG_LEVEL: 'info',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'tsc-proof-')),
    DATABASE_URL: proxied.toString(),
    PUBLIC_URL: replicas[0]!.url,
    TIKTOK_APP_KEY: simulatorApp.appKey,
    TIKTOK_APP_SECRET: simulatorApp.appSecret,
    TIKTOK_SERVICE_ID: simulatorApp.serviceId,
    TIKTOK_AUTHORIZE_URL: `${simulatorUrl}/open/authorize`,
    TIKTOK_AUTH_BASE_URL: simulatorUrl,
    TIKTOK_API_BASE_URL: simulatorUrl,
    REFRESH_SWEEP_INTERVAL_SECONDS: '2',
    REFRESH_SAFETY_MARGIN_SECONDS: '5',
    // Refreshed after 30% of the token's life, with a 6 s lease (renewed every 2 s while TikTok answers): a
    // replica killed inside TikTok's round trip leaves a lease that lapses while the access token still has
    // most of its life, as in production (7-day tokens refreshed a day ahead, 60 s lease), so the lost
    // rotation is learned while the token is valid: refresh_lost, served until it expires.
    REFRESH_AT_LIFETIME_FRACTION: '0.3',
    REFRESH_CLAIM_SECONDS: '6',
    DEFAULT_RATE_LIMIT_PER_MINUTE: '1000000',
  };
  // Replica A migrates the fresh database; B starts once A is ready.
  startReplica(replicas[0]!);
  expect(await until(() => healthy(replicas[0]!.url), 120_000, 250), 'replica A ready').toBe(true);
  startReplica(replicas[1]!);
  expect(await until(() => healthy(replicas[1]!.url), 120_000, 250), 'replica B ready').toBe(true);

  const created = JSON.parse(await cli(['api-clients', 'create', '--name', 'chaos callers', '--rate-limit', '1000000', '--json'], serviceEnv)) as { key: string };
  apiKey = created.key;
  rememberSecrets(apiKey);

  await connectSellers('chaos');
  expect(await connectionStates()).toStrictEqual([{ status: 'active', count: sellers }]);
}, 600_000);

afterAll(async () => {
  try {
    const tokens = (await sim('GET', '/_proof/tokens')) as { accessTokens: string[]; refreshTokens: string[] };
    rememberSecrets(...tokens.accessTokens, ...tokens.refreshTokens);
  } catch {
    // the simulator is gone: nothing more to remember
  }
  if (direct) {
    const tables = await direct.query<{ name: string }>("SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'");
    const lines: string[] = [];
    for (const { name } of tables.rows) for (const row of (await direct.query(`SELECT row_to_json(t)::text AS row FROM "${name}" t`)).rows) lines.push(`${name} ${(row as { row: string }).row}`);
    writeFileSync(join(logDir, '..', 'dumps', 'chaos.jsonl'), `${lines.join('\n')}\n`);
  }
  stopping = true;
  await Promise.all(replicas.map((replica) => replica.child?.stop()));
  await simulator?.stop();
  await direct?.end();
  await proxy?.close();
  await database?.drop();
  await agent.close();
}, 120_000);

describe('chaos: two replicas, one Postgres, the simulator in strict rotation', () => {
  it(`survives ${kills} kill -9s, slow TikTok, a TikTok outage, and a database stop and freeze`, async () => {
    const callers = hammer(envNumber('PROOF_CHAOS_CALLERS', 4));
    const started = Date.now();

    // Phase 1: kill -9s, most aimed at a refresh in flight (the refresh answer is made slow so there is one to aim at).
    phase = 'kills';
    await sim('POST', '/_sim/faults/latency', { ms: 400, path: '/api/v2/token/refresh', count: 100_000 });
    for (let kill = 0; kill < kills; kill += 1) {
      const owner = await (async () => {
        let found: number | undefined;
        await until(async () => (found = await claimInFlight()) !== undefined, 3_000, 25);
        return found;
      })();
      let victim = replicas[kill % 2]!;
      if (owner !== undefined) {
        for (const replica of replicas) if (replica.child && (await replica.child.owns(owner))) victim = replica;
        await sleep(Math.floor(Math.random() * 400));
        figures.aimedKills += 1;
      }
      // Keep one replica serving: only kill when the other is up.
      const other = replicas.find((replica) => replica !== victim)!;
      await until(() => healthy(other.url), 60_000, 200);
      victim.killing = true;
      victim.child?.kill9();
      await victim.child?.exited;
      figures.kills += 1;
      victim.killing = false;
      startReplica(victim);
      figures.restarts += 1;
      await until(() => healthy(victim.url), 60_000, 200);
    }
    await sim('DELETE', '/_sim/faults');
    // A kill inside TikTok's round trip may cost that grant by design (issue #15 item 3: refresh_lost, then
    // needs_reauth when the access token expires). Fresh sellers make the later phases prove item 1 on grants
    // that no kill touched: none of them may be lost, and no refresh token may be reused from here on.
    const reusedDuringKills = ((await sim('GET', '/_sim/counters')) as { reusedRefreshTokens: number }).reusedRefreshTokens;
    await connectSellers('chaos-late');

    // Phase 2: TikTok's token endpoint answers after 12 s (past the old 10 s timeout).
    phase = 'slow-tiktok';
    await sim('POST', '/_sim/faults/latency', { ms: 12_000, path: '/api/v2/token/refresh', count: 100_000 });
    const slowStarted = Date.now();
    // A graceful restart (SIGTERM, as a rolling deploy sends it) of a replica whose refresh is waiting for
    // TikTok: it must wait for the answer and store it (past its usual 10 s shutdown limit), never abandon it.
    const gracefulOwner = await (async () => {
      let found: number | undefined;
      await until(async () => (found = await claimInFlight()) !== undefined, 20_000, 50);
      return found;
    })();
    const gracefulVictim = gracefulOwner === undefined ? undefined : await (async () => {
      for (const replica of replicas) if (replica.child && (await replica.child.owns(gracefulOwner))) return replica;
      return undefined;
    })();
    if (gracefulVictim?.child) {
      const child = gracefulVictim.child;
      gracefulVictim.killing = true;
      const stopping = Date.now();
      await child.stop(180_000);
      figures.gracefulStops.push({ exit: await child.exited, seconds: Math.round((Date.now() - stopping) / 100) / 10 });
      gracefulVictim.killing = false;
      startReplica(gracefulVictim);
      await until(() => healthy(gracefulVictim.url), 60_000, 200);
    }
    await sleep(Math.max(0, slowSeconds * 1000 - (Date.now() - slowStarted)));
    await sim('DELETE', '/_sim/faults');
    await sleep(5_000);

    // Phase 3: TikTok answers 5xx to everything for a while, then recovers.
    phase = 'tiktok-outage';
    await sim('POST', '/_sim/faults/burst', { kind: 'server-error', count: 1_000_000 });
    await sleep(outageSeconds * 1000);
    await sim('DELETE', '/_sim/faults');
    phase = 'recovery';
    const afterOutage = Date.now();
    // Every shop whose connection is still usable gets a fresh token again (lost ones are counted below).
    const recoveredFromOutage = await until(async () => {
      const { rows } = await direct.query<{ id: string }>("SELECT s.id FROM shops s JOIN connections c ON c.id = s.connection_id WHERE c.status = 'active'");
      return rows.every((shop) => (lastServed.get(shop.id)?.expiresAt ?? 0) > Date.now() + minValidityMs);
    }, 90_000, 500);
    // With no usable connection left there is nothing to recover: reported as such, not as a success.
    const usableAfterOutage = (await direct.query("SELECT 1 FROM connections WHERE status = 'active'")).rowCount ?? 0;
    const outageRecoverySeconds = (Date.now() - afterOutage) / 1000;

    // Phase 4: the database stops (connections cut and refused), then comes back.
    phase = 'database-stop';
    proxy.refuse();
    await sleep(databaseSeconds * 1000);
    proxy.open();
    phase = 'recovery';
    const afterStop = Date.now();
    const recoveredFromStop = await until(async () => (await Promise.all(replicas.map((replica) => healthy(replica.url)))).every(Boolean), 60_000, 250);
    const stopRecoverySeconds = (Date.now() - afterStop) / 1000;

    // Phase 5: the database freezes (a partition: nothing flows, nothing is refused), then heals.
    phase = 'database-freeze';
    proxy.freeze();
    await sleep(databaseSeconds * 1000);
    proxy.open();
    phase = 'recovery';
    const afterFreeze = Date.now();
    const recoveredFromFreeze = await until(async () => (await Promise.all(replicas.map((replica) => healthy(replica.url)))).every(Boolean), 60_000, 250);
    const freezeRecoverySeconds = (Date.now() - afterFreeze) / 1000;
    await sleep(5_000);
    await callers.stop();

    const counters = (await sim('GET', '/_sim/counters')) as { reusedRefreshTokens: number; refreshes?: number } & Record<string, unknown>;
    const states = await connectionStates();
    const { rows: refreshes } = await direct.query<{ outcome: string; count: number }>(
      "SELECT action || ' ' || outcome AS outcome, count(*)::int AS count FROM audit_events WHERE action LIKE 'token.refresh%' OR action LIKE 'connection.%' GROUP BY 1 ORDER BY 1",
    );
    // A grant may end only through refresh_lost (an unknown outcome, told at once) or a definitive signal; none here.
    const { rows: [lostCounts] } = await direct.query<{ without_signal: number; refresh_lost_events: number; late_not_active: number }>(
      `SELECT (SELECT count(*)::int FROM connections c WHERE c.status = 'needs_reauth'
                 AND NOT EXISTS (SELECT 1 FROM outbox_events e WHERE e.connection_id = c.id AND e.type = 'connection.refresh_lost')) AS without_signal,
              (SELECT count(*)::int FROM outbox_events WHERE type = 'connection.refresh_lost') AS refresh_lost_events,
              (SELECT count(*)::int FROM connections WHERE merchant_ref LIKE 'chaos-late-%' AND status <> 'active') AS late_not_active`,
    );
    const lost = lostCounts!.without_signal;
    recordFigures('chaos', {
      seconds: Math.round((Date.now() - started) / 1000),
      sellers, tokenSeconds, kills: figures.kills, aimedKills: figures.aimedKills, restarts: figures.restarts,
      tokenRequests: figures.requests, tokensServed: figures.served, replicaDown: figures.replicaDown, hungRequests: figures.hung,
      answersByCode: figures.byCode, answersByPhase: figures.byPhase,
      validTokenRefused: figures.validTokenRefused, refusedExamples: figures.refusedExamples,
      simulatorCounters: counters, connectionStates: states, refreshAudit: refreshes,
      reusedRefreshTokensDuringKills: reusedDuringKills, refreshLostEvents: lostCounts!.refresh_lost_events,
      lateSellersNotActive: lostCounts!.late_not_active,
      outageRecoverySeconds: usableAfterOutage === 0 ? 'no active connection left to recover' : recoveredFromOutage ? outageRecoverySeconds : 'not within 90 s',
      crashes: figures.crashes,
      gracefulStopsDuringARefresh: figures.gracefulStops,
      databaseStopRecoverySeconds: recoveredFromStop ? stopRecoverySeconds : 'not within 60 s',
      databaseFreezeRecoverySeconds: recoveredFromFreeze ? freezeRecoverySeconds : 'not within 60 s',
      replicaStarts: replicas.map((replica) => `${replica.name}: ${replica.starts}`),
    });

    // What the issue requires; each is checked on its own so that one failure does not hide the rest.
    expect.soft(figures.kills, 'kill -9s').toBeGreaterThanOrEqual(kills);
    expect.soft(figures.byCode['500 internal_error'] ?? 0, 'answers 500 internal_error').toBe(0);
    expect.soft(figures.crashes, 'replica exits nobody asked for').toStrictEqual([]);
    expect.soft(figures.gracefulStops.length, 'a replica stopped gracefully while its refresh waited for TikTok').toBe(1);
    expect.soft(figures.gracefulStops.map((stop) => stop.exit), 'exit codes of graceful stops during a refresh (0: its answer was stored first)').toStrictEqual(['0']);
    expect.soft(figures.hung, 'requests hanging past 20 s').toBe(0);
    expect.soft(recoveredFromStop && recoveredFromFreeze, 'ready again after the database came back, without a restart').toBe(true);
    expect.soft(recoveredFromOutage && usableAfterOutage > 0, 'every active shop served a fresh token after the TikTok outage').toBe(true);
    // During the kills a retry after a lost answer presents the only refresh token there is (a retry killed in its
    // turn presents it again, so one lost grant may count several reuses): every grant ended that way must say so
    // at once (refresh_lost; checked below), and none may be declared lost without TikTok having seen a reuse.
    // After the kills: no reuse at all.
    expect.soft(lostCounts!.refresh_lost_events, 'grants declared refresh_lost, at most one per rotated refresh token TikTok saw reused').toBeLessThanOrEqual(reusedDuringKills);
    expect.soft(counters.reusedRefreshTokens - reusedDuringKills, 'rotated refresh tokens presented again to TikTok after the kills').toBe(0);
    expect.soft(lost, `connections lost to needs_reauth without refresh_lost or a definitive signal: ${JSON.stringify(states)}`).toBe(0);
    expect.soft(lostCounts!.late_not_active, 'grants connected after the kills and not active at the end (slow TikTok, outage, database)').toBe(0);
    expect.soft(figures.validTokenRefused, `valid tokens refused: ${figures.refusedExamples.join('; ')}`).toBe(0);
  });
});

