import { loadConfig } from '../../src/config.js';
import { startService } from '../../src/main.js';
import { createLogger } from '../../src/shared/logger.js';

/** One replica of the service for the webhook bench: its own process, the bench's Postgres, the built-in simulator. */
const config = loadConfig({
  NODE_ENV: 'test',
  PORT: process.env.BENCH_PORT!,
  PUBLIC_URL: `http://127.0.0.1:${process.env.BENCH_PORT!}`,
  DATABASE_URL: process.env.BENCH_DATABASE_URL!,
  TOKEN_ENCRYPTION_KEYS: process.env.BENCH_KEYS!,
  COOKIE_SECRET: 'bench-cookie-secret-bench-cookie-secret-0123',
  LOG_LEVEL: 'silent',
  WEBHOOK_POLL_INTERVAL_MS: process.env.WEBHOOK_POLL_INTERVAL_MS ?? '1000',
});
const service = await startService(config, { logger: createLogger('silent') });
process.stdout.write(`${JSON.stringify({ url: service.url })}\n`);
process.once('SIGTERM', () => {
  void service.close().then(() => process.exit(0));
});
