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
import { withDevelopmentSecrets } from './dev-secrets.js';
import { createApp } from './http/app.js';
import { systemClock, type Clock } from './shared/clock.js';
import { createLogger, type Logger } from './shared/logger.js';
import { createSimulator, type Simulator, type SimulatorOptions } from './simulator/index.js';
import { simulatorMountPath } from './config.js';

export interface ServiceOptions {
  clock?: Clock;
  logger?: Logger;
  /** Use this database instead of opening one from the config (tests). */
  db?: Database;
  fetch?: typeof fetch;
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
  /** The built-in TikTok Shop simulator, when no TikTok credentials are configured. */
  simulator: Simulator | undefined;
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
  const simulator = config.tiktok.mode === 'simulator' ? mountedSimulator(config, clock, logger, options) : undefined;
  const extraRouters = [...(options.extraRouters ?? [])];
  if (simulator) extraRouters.push({ path: simulatorMountPath, router: simulator.router });

  const app = createApp({ config, logger, db, clock, extraRouters });
  const server = createServer({ maxHeaderSize: 64 * 1024 }, app);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = config.port === 0 ? `http://127.0.0.1:${port}` : config.publicUrl;

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const forced = setTimeout(() => server.closeAllConnections(), 8_000);
      await stopped;
      clearTimeout(forced);
      await audit.close();
      if (!options.db) await db.close();
    })());
  return { config, db, server, url, audit, simulator, close };
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
    service.close().then(
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
