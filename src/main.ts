import 'dotenv/config';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import type { Router } from 'express';
import { ConfigError, loadConfig, type Config } from './config.js';
import { openDatabase, type Database } from './db/database.js';
import { migrate, readMigrations } from './db/migrate.js';
import { databaseTarget, migrationsDirectory } from './db/target.js';
import { createAuditLog, type AuditLog } from './db/audit-log.js';
import { createConnectionsService, merchantStatusLinkTtlSeconds, type ConnectionsService } from './connections/index.js';
import { createConnectionStore } from './db/stores/connection-store.js';
import { createConnectSessionStore } from './db/stores/connect-session-store.js';
import { createOAuthStateStore } from './db/stores/oauth-state-store.js';
import { createProblemStore } from './db/stores/problem-store.js';
import { createApiClient, createAuthClient, createTikTokHttp, type FetchLike } from './tiktok/index.js';
import { parseKeyRing } from './vault/key-ring.js';
import { createVault } from './vault/vault.js';
import { withDevelopmentSecrets } from './dev-secrets.js';
import { createApp } from './http/app.js';
import { createAdminConsole } from './admin/admin-console.js';
import { RateLimiterMemory, RateLimiterPostgres } from 'rate-limiter-flexible';
import { createConnectionViews } from './apps/connection-views.js';
import { createKeyVerifier } from './apps/key-verifier.js';
import { createRateLimits } from './apps/rate-limits.js';
import { createShopCalls } from './apps/shop-calls.js';
import { createRefusalAudit } from './apps/audited.js';
import { createShopCredentialSource } from './apps/shop-credentials.js';
import { createApiClientStore } from './db/stores/api-client-store.js';
import { createConnectionDirectory } from './db/stores/connection-directory.js';
import { createShopAccessStore } from './db/stores/shop-access-store.js';
import { createEventFeedStore } from './db/stores/event-feed-store.js';
import type { Refresher } from './refresh/refresher.js';
import { createRefresherForService } from './refresh/for-service.js';
import { createNotificationHandler } from './refresh/notifications.js';
import { observeTikTokCalls } from './shared/metrics.js';
import { createOperationsWork, createServiceMetrics } from './operations.js';
import { systemClock, type Clock } from './shared/clock.js';
import { createLogger, type Logger } from './shared/logger.js';
import { createSimulator, type Simulator, type SimulatorOptions } from './simulator/index.js';
import { simulatorMountPath } from './config.js';
import { describeSecretSources } from './secret-files.js';
import { flushTraces } from './shared/trace-context.js';

export interface ServiceOptions {
  clock?: Clock;
  logger?: Logger;
  /** Use this database instead of opening one from the config (tests). */
  db?: Database;
  /** Replaces the pooled undici fetch used for every call to TikTok (tests). */
  fetch?: FetchLike;
  /** Routers mounted ahead of the service's routes (tests). */
  extraRouters?: { path: string; router: Router }[];
  /** Options for the built-in simulator, in simulator mode (tests: lifetimes, rotation, scopes). */
  simulator?: Partial<SimulatorOptions>;
}

export interface Service {
  config: Config;
  db: Database;
  server: Server;
  url: string;
  audit: AuditLog;
  /** Connect sessions, merchant status links and problems (for callers and tests). */
  connections: ConnectionsService;
  /** The built-in TikTok Shop simulator, when no TikTok credentials are configured. */
  simulator: Simulator | undefined;
  /** Token refresh: ensureFresh / refreshNow / sweepOnce (its sweeper runs in the background). */
  refresher: Refresher;
  /** Stops accepting, lets in-flight requests finish, stops background work, closes the database. */
  close(): Promise<void>;
}

/** The composition root: config → database → stores → services → HTTP app + background work. */
export async function startService(baseConfig: Config, options: ServiceOptions = {}): Promise<Service> {
  const logger = options.logger ?? createLogger(baseConfig.logLevel);
  const clock = options.clock ?? systemClock;
  const config = baseConfig.env === 'production' ? baseConfig : withDevelopmentSecrets(baseConfig, logger);
  const db = options.db ?? (await openDatabase(databaseTarget(config)));
  const migrated = await migrate(db.sql, await readMigrations(migrationsDirectory));
  if (migrated.applied.length > 0) logger.info({ applied: migrated.applied }, 'migrations applied');
  if (migrated.modified.length > 0) logger.warn({ modified: migrated.modified }, 'applied migrations changed since they ran');

  const audit = createAuditLog(db, { clock, logger });
  const vault = createVault(parseKeyRing(config.encryptionKeys ?? ''));
  const tiktokHttp = createTikTokHttp();
  const tiktokFetch = options.fetch ?? tiktokHttp.fetch;
  // issue #17: metrics are created before the TikTok clients so they can observe every call.
  const metrics = createServiceMetrics({ sql: db.sql, clock });
  const observer = observeTikTokCalls(metrics.tiktok);
  const tiktokApp = { appKey: config.tiktok.appKey, appSecret: config.tiktok.appSecret, observer };
  const tiktok = {
    auth: createAuthClient({ fetch: tiktokFetch, authBaseUrl: config.tiktok.authBaseUrl, ...tiktokApp }),
    api: createApiClient({ fetch: tiktokFetch, apiBaseUrl: config.tiktok.apiBaseUrl, clock, ...tiktokApp }),
  };
  const connections = createConnectionsService({
    stores: {
      connections: createConnectionStore(db),
      connectSessions: createConnectSessionStore(db),
      oauthStates: createOAuthStateStore(db),
      problems: createProblemStore(db),
    },
    vault,
    audit,
    clock,
    tiktok,
    settings: {
      publicUrl: config.publicUrl,
      cookieSecret: config.cookieSecret ?? '',
      sessionTtlSeconds: config.connect.sessionTtlSeconds,
      returnUrlAllowlist: config.connect.returnUrlAllowlist,
      authorizeUrl: config.tiktok.authorizeUrl,
      serviceId: config.tiktok.serviceId,
      refreshPolicy: config.refresh,
    },
  });
  const refresher = createRefresherForService({
    sql: db.sql, fetch: tiktokFetch, tiktok: { ...config.tiktok, observer },
    vault, clock, logger, audit,
    metrics: metrics.refresh, problems: connections.problems, settings: config.refresh,
  });
  const notifications = createNotificationHandler({ sql: db.sql, clock, audit, logger });

  // Internal apps (/v1): API keys verified from a short cache, rate limits counted in memory and
  // shared through the rate_limits table on Postgres, credentials from one indexed read.
  // Keys are windows (the minute, the day); `duration` is how long the store keeps a key.
  const rateLimitStore = (duration: number) =>
    db.kind === 'postgres'
      ? new RateLimiterPostgres({
          // db.sql over the service's pg pool, in the shape of a pg Pool (`query({ text, values })`).
          storeClient: { query: async (q: { text: string; values?: unknown[] }) => ({ rows: await db.sql.query(q.text, q.values ?? []) }) },
          storeType: 'pool', tableName: 'rate_limits', tableCreated: true, points: 1, duration,
        })
      : new RateLimiterMemory({ points: 1, duration });
  const rateLimits = createRateLimits({
    stores: { minute: rateLimitStore(120), day: rateLimitStore(2 * 86_400) },
    clock, logger, defaultPerMinute: config.rateLimit.defaultPerMinute,
  });
  const v1 = {
    verifier: createKeyVerifier({ store: createApiClientStore(db.prisma), clock }),
    rateLimits,
    connectSessions: { create: connections.createConnectSession },
    connections: createConnectionViews({
      directory: createConnectionDirectory(db),
      problems: connections.problems,
      statusLink: (connectionId) => connections.merchantStatusLink(connectionId, merchantStatusLinkTtlSeconds),
    }),
    events: createEventFeedStore(db),
    shopCalls: createShopCalls({
      credentials: createShopCredentialSource({ shopAccess: createShopAccessStore(db), vault, refresher, clock }),
      api: tiktok.api,
      problems: connections.problems,
      grants: refresher,
      audit,
    }),
  };

  // Admin console: OpenID Connect sign-in (the development identity provider when no issuer is set).
  const admin = { console: await createAdminConsole(config, { db, audit, clock, logger, refresher, statusLinks: connections }), audit };

  const simulator = config.tiktok.mode === 'simulator' ? mountedSimulator(config, clock, logger, options) : undefined;
  const extraRouters = [...(options.extraRouters ?? [])];
  if (simulator) extraRouters.push({ path: simulatorMountPath, router: simulator.router });

  const refusals = createRefusalAudit({ audit, clock, logger });
  const app = createApp({ config, logger, db, clock, extraRouters, connections, v1, metrics, notifications, admin, refusals });
  const server = createServer({ maxHeaderSize: 64 * 1024 }, app);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = config.port === 0 ? `http://127.0.0.1:${port}` : config.publicUrl;
  refresher.start();
  // issue #17: retention (it replaces the hourly connections.purgeExpired() housekeeping) and METRICS_PORT.
  const operations = createOperationsWork({ config, sql: db.sql, clock, logger, metrics });
  await operations.start();

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const forced = setTimeout(() => server.closeAllConnections(), 8_000);
      await stopped;
      clearTimeout(forced);
      await operations.stop(); // issue #17
      await refresher.stop();
      await rateLimits.close();
      await audit.close();
      await tiktokHttp.close();
      if (!options.db) await db.close();
    })());
  return { config, db, server, url, audit, connections, simulator, refresher, close };
}

function mountedSimulator(config: Config, clock: Clock, logger: Logger, options: ServiceOptions): Simulator {
  if (config.env === 'production') throw new Error('The TikTok Shop simulator is refused in production.');
  logger.warn(
    { simulator: `${config.publicUrl}${simulatorMountPath}` },
    'No TikTok credentials: merchants are sent to the built-in TikTok Shop simulator (development only)',
  );
  return createSimulator({
    appKey: config.tiktok.appKey,
    appSecret: config.tiktok.appSecret,
    serviceId: config.tiktok.serviceId,
    redirectUrl: `${config.publicUrl}/oauth/tiktok/callback`,
    clock,
    label: 'built-in',
    ...options.simulator,
  });
}

async function run(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`Configuration error: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  logger.info({ secrets: describeSecretSources(config.secretSources) }, 'secret settings read'); // issue #17: where each came from, never a value
  const service = await startService(config, { logger });
  logger.info({ url: service.url, database: service.db.kind, tiktok: config.tiktok.mode }, 'listening');
  process.stdout.write(`\nTikTok Shop Connect is running: open ${service.url}\n\n`);
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    const deadline = setTimeout(() => {
      logger.error('shutdown took longer than 10 s; exiting');
      process.exit(1);
    }, 10_000);
    deadline.unref();
    service.close().then(() => flushTraces()).then( // issue #17: spans still buffered are exported before exit
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  run().catch((error: unknown) => {
    process.stderr.write(`Startup failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
