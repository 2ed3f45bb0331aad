import 'dotenv/config';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Router } from 'express';
import { createAdminConsole } from './admin/admin-console.js';
import { ConfigError, loadConfig, simulatorMountPath, type Config } from './config.js';
import { createCore, type Core, type CoreIo } from './core.js';
import { openDatabase, type Database } from './db/database.js';
import { migrate, readMigrations } from './db/migrate.js';
import { databaseTarget, migrationsDirectory } from './db/target.js';
import { createApp } from './http/app.js';
import { systemClock, type Clock } from './shared/clock.js';
import { DatabaseInUse } from './shared/errors.js';
import { asyncStdout, createLogger, type Logger } from './shared/logger.js';
import type { Refresher } from './refresh/refresher.js';
import type { Simulator, SimulatorOptions } from './simulator/index.js';
import { describeSecretSources } from './secret-files.js';
import { flushTraces } from './shared/trace-context.js';
import { createMetricsServer } from './http/metrics-server.js';
import { answerClientErrors } from './http/client-error.js';

export interface ServiceOptions extends Partial<Pick<CoreIo, 'clock' | 'logger' | 'fetch' | 'refresher' | 'deliveryFetch' | 'resolveHost'>> {
  /** Use this database instead of opening one from the config (tests). */
  db?: Database;
  /** Routers mounted ahead of the service's routes (tests). */
  extraRouters?: { path: string; router: Router }[];
  /** Options for the built-in simulator, in simulator mode (tests: lifetimes, rotation, scopes). */
  simulator?: Partial<SimulatorOptions>;
}

export interface Service extends Pick<Core, 'config' | 'db' | 'audit' | 'connections' | 'refresher' | 'lifecycle'> {
  /** What the service is built from (operator tasks, tests). */
  core: Core;
  server: Server;
  url: string;
  /** The built-in TikTok Shop simulator (of the first simulated app), when no TikTok credentials are configured. */
  simulator: Simulator | undefined;
  /** Every simulated app's simulator, by app id (development: `global` and `us`). */
  simulators: Map<string, Simulator>;
  /** Stops accepting, lets in-flight requests finish, stops background work, closes the database. */
  close(): Promise<void>;
}

/** Warns once for each development default in use; production refuses them in loadConfig. */
function warnDevelopmentDefaults(config: Config, logger: Logger): void {
  for (const name of config.generatedSecrets?.names ?? []) {
    logger.warn({ file: config.generatedSecrets?.file }, `${name} is not set: using a development secret kept in DATA_DIR (refused in production)`);
  }
}

/**
 * The service as `npm start` runs it: config → database (migrated) → core → HTTP app, listening;
 * then the workers start. `close()` undoes it in reverse.
 */
export async function startService(config: Config, options: ServiceOptions = {}): Promise<Service> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const clock = options.clock ?? systemClock;
  warnDevelopmentDefaults(config, logger);
  const db = options.db ?? (await openDatabase(databaseTarget(config)));
  const migrated = await migrate(db.sql, await readMigrations(migrationsDirectory));
  if (migrated.applied.length > 0) logger.info({ applied: migrated.applied }, 'migrations applied');
  if (migrated.modified.length > 0) logger.warn({ modified: migrated.modified }, 'applied migrations changed since they ran');

  const core = createCore(config, db, {
    clock, logger, ...(options.fetch ? { fetch: options.fetch } : {}), ...(options.refresher ? { refresher: options.refresher } : {}),
    ...(options.deliveryFetch ? { deliveryFetch: options.deliveryFetch } : {}), ...(options.resolveHost ? { resolveHost: options.resolveHost } : {}),
  });
  // Admin console: OpenID Connect sign-in (the development identity provider when no issuer is set).
  const adminConsole = await createAdminConsole(config, { ...core.admin, clock, logger });

  const simulators = config.tiktok.mode === 'simulator' ? await mountedSimulators(config, clock, logger, options) : new Map<string, Simulator>();
  const extraRouters = [...(options.extraRouters ?? [])];
  // The deepest mount first (`/simulator/us` before `/simulator`), so each app's paths reach its own simulator.
  const mounted = config.tiktok.apps.filter((app) => app.simulatorPath !== undefined && simulators.has(app.id)).sort((a, b) => b.simulatorPath!.length - a.simulatorPath!.length);
  for (const app of mounted) extraRouters.push({ path: app.simulatorPath!, router: simulators.get(app.id)!.router });
  const simulator = simulators.get(config.tiktok.apps[0]!.id);

  const app = createApp({
    config, logger, clock, extraRouters, readiness: core.readiness, connections: core.connections, v1: core.v1, metrics: core.metrics,
    webhookInbox: core.webhooks.inbox, apps: core.apps, admin: { console: adminConsole, audit: core.audit, webhooks: { subscriptions: core.webhooks.subscriptions, health: core.webhooks.health } }, refusals: core.refusals,
  });
  const server = createServer({ maxHeaderSize: 64 * 1024 }, app);
  server.keepAliveTimeout = 65_000;
  server.on('clientError', answerClientErrors(logger));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = config.port === 0 ? `http://127.0.0.1:${port}` : config.publicUrl;
  for (const worker of core.workers) worker.start();
  // With METRICS_PORT, /metrics is served on its own port (not on the service's).
  const metricsServer = config.metrics.port === undefined
    ? undefined
    : createMetricsServer({ registry: core.metrics.registry, port: config.metrics.port, token: config.metrics.token, logger });
  if (metricsServer) logger.info({ url: `${await metricsServer.start()}/metrics` }, 'metrics served on METRICS_PORT');

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const forced = setTimeout(() => server.closeAllConnections(), 8_000);
      await stopped;
      clearTimeout(forced);
      await metricsServer?.stop();
      await core.close();
      if (!options.db) await db.close();
    })());
  return {
    core, config, db, server, url, audit: core.audit, connections: core.connections, lifecycle: core.lifecycle, simulator, simulators, refresher: core.refresher, close,
  };
}

/**
 * One built-in simulator per simulated app (#13: development shows a global and a US app), by app id.
 * Development only; imported on demand, so that production never loads the simulator (issue #12: start-up time).
 */
async function mountedSimulators(config: Config, clock: Clock, logger: Logger, options: ServiceOptions): Promise<Map<string, Simulator>> {
  if (config.env === 'production') throw new Error('The TikTok Shop simulator is refused in production.');
  logger.warn(
    { simulator: `${config.publicUrl}${simulatorMountPath}`, apps: config.tiktok.apps.map((app) => app.id) },
    'No TikTok credentials: merchants are sent to the built-in TikTok Shop simulator (development only)',
  );
  const { createSimulator } = await import('./simulator/index.js');
  const simulators = new Map<string, Simulator>();
  for (const [index, app] of config.tiktok.apps.entries()) {
    // The first app keeps the state file of single-app versions; the others get their own.
    const stateFile = join(config.dataDir, index === 0 ? 'simulator-state.json' : `simulator-state-${app.id}.json`);
    simulators.set(app.id, createSimulator({
      appKey: app.appKey,
      appSecret: app.appSecret,
      serviceId: app.serviceId,
      redirectUrl: `${config.publicUrl}/oauth/tiktok/callback`,
      clock,
      label: config.tiktok.apps.length === 1 ? 'built-in' : `built-in, ${app.market === 'us' ? 'US' : 'global'} app "${app.id}"`,
      // issue #16: a restart keeps the demo sellers, grants and tokens (not for tests' injected databases).
      ...(options.db ? {} : { stateFile }),
      ...options.simulator,
    }));
  }
  return simulators;
}

/**
 * Exits with 1 if shutting down takes longer than 10 s, unless token refreshes are still waiting for
 * TikTok's answer: TikTok may already have rotated the refresh token, so the answer is awaited and
 * stored (up to REFRESH_REQUEST_TIMEOUT_SECONDS, plus 10 s for the rest), never abandoned (#15 item 1).
 */
function armShutdownDeadline(deps: { logger: Logger; refresher: Pick<Refresher, 'inFlight'>; refreshRequestTimeoutSeconds: number }): void {
  const graceMs = 10_000;
  const started = Date.now();
  const latest = started + deps.refreshRequestTimeoutSeconds * 1000 + graceMs;
  let waited = false;
  const check = () => {
    const refreshing = deps.refresher.inFlight();
    if (refreshing > 0 && Date.now() < latest) {
      waited = true;
      deps.logger.warn({ refreshing }, 'shutdown waits for token refreshes in flight at TikTok, so that their answers are stored');
      setTimeout(check, Math.min(1_000, latest - Date.now())).unref();
      return;
    }
    if (waited && refreshing === 0) {
      // Their answers are stored: the rest of the shutdown gets its usual time.
      waited = false;
      setTimeout(check, graceMs).unref();
      return;
    }
    deps.logger.error(refreshing > 0 ? 'token refreshes still unanswered at the shutdown limit; exiting' : 'shutdown took longer than 10 s; exiting');
    process.exit(1);
  };
  setTimeout(check, graceMs).unref();
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
  const logger = createLogger(config.logLevel, asyncStdout());
  logger.info({ secrets: describeSecretSources(config.secretSources) }, 'secret settings read'); // issue #17: where each came from, never a value
  const service = await startService(config, { logger });
  logger.info({ url: service.url, database: service.db.kind, tiktok: config.tiktok.mode }, 'listening');
  process.stdout.write(`\nTikTok Shop Connect is running: open ${service.url}\n\n`);
  let shuttingDown = false;
  const shutdown = (signal: string) => {
    // A second signal must not end the shutdown half-way: a parent (npm, tsx) relays the signal it got to
    // this process, so a SIGTERM sent to the process group may arrive twice.
    if (shuttingDown) {
      logger.info({ signal }, 'already shutting down');
      return;
    }
    shuttingDown = true;
    logger.info({ signal }, 'shutting down');
    armShutdownDeadline({ logger, refresher: service.refresher, refreshRequestTimeoutSeconds: config.refresh.requestTimeoutSeconds });
    service.close().then(() => flushTraces()).then( // issue #17: spans still buffered are exported before exit
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  run().catch((error: unknown) => {
    // issue #16: a PGlite directory held by another process is refused with exit 2, like the CLI.
    if (error instanceof DatabaseInUse) {
      process.stderr.write(`Startup refused: ${error.message}\nHint: ${error.hint}\n`);
      process.exit(2);
    }
    process.stderr.write(`Startup failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
