import type { Server } from 'node:http';
import express from 'express';
import pg from 'pg';
import { loadConfig } from '../../src/config.js';
import { startService } from '../../src/main.js';
import { createLogger } from '../../src/shared/logger.js';
import { benchApp } from './bench-app.js';

/**
 * One process holding the real service (live mode, TikTok = the bench's simulator process) and a
 * bare Express route doing the same single indexed read with the same pool size. Only one of them
 * is under load at a time.
 */
const env = process.env as Record<string, string>;
const config = loadConfig({
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  PORT: env.BENCH_PORT!,
  PUBLIC_URL: `http://127.0.0.1:${env.BENCH_PORT}`,
  DATABASE_URL: env.BENCH_DATABASE_URL!,
  TOKEN_ENCRYPTION_KEYS: env.BENCH_KEYS!,
  COOKIE_SECRET: 'bench-cookie-secret-bench-cookie-secret-01',
  TIKTOK_APP_KEY: benchApp.appKey,
  TIKTOK_APP_SECRET: benchApp.appSecret,
  TIKTOK_SERVICE_ID: benchApp.serviceId,
  TIKTOK_AUTH_BASE_URL: env.BENCH_SIMULATOR_URL!,
  TIKTOK_API_BASE_URL: env.BENCH_SIMULATOR_URL!,
  REFRESH_SWEEP_INTERVAL_SECONDS: '3600',
});
const service = await startService(config, { logger: createLogger('silent') });

const pool = new pg.Pool({ connectionString: env.BENCH_DATABASE_URL, max: 10 });
const bare = express();
bare.disable('x-powered-by');
bare.get('/shops/:shopId/token', async (req, res) => {
  const { rows } = await pool.query(
    `SELECT s.id, s.cipher, c.id AS connection_id, c.status, c.granted_scopes, c.access_token_sealed, c.access_token_expires_at
       FROM shops s JOIN connections c ON c.id = s.connection_id WHERE s.id = $1 AND s.removed_at IS NULL`,
    [req.params.shopId],
  );
  res.json(rows[0]);
});
const bareServer = await new Promise<Server>((resolve) => {
  const listening = bare.listen(0, '127.0.0.1', () => resolve(listening));
});

process.stdout.write(`${JSON.stringify({ service: service.url, bare: `http://127.0.0.1:${(bareServer.address() as { port: number }).port}` })}\n`);
process.once('SIGTERM', () => {
  bareServer.close();
  void Promise.all([pool.end(), service.close()]).then(() => process.exit(0));
});
