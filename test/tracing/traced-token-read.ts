/**
 * Run by tracing.int.test.ts in its own process, after src/tracing-preload.ts (instrumentation patches
 * modules as they load, so it cannot share the test runner's process): starts the service with the
 * simulator, connects a seller, makes its token about to expire, reads it once with an API key, shuts down (which
 * flushes the spans to OTEL_EXPORTER_OTLP_ENDPOINT), and prints what the test needs on the last line.
 */
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiClientAdmin } from '../../src/apps/api-clients.js';
import { loadConfig } from '../../src/config.js';
import { createApiClientStore } from '../../src/db/stores/api-client-store.js';
import { startService } from '../../src/main.js';
import { systemClock } from '../../src/shared/clock.js';
import { flushTraces } from '../../src/shared/trace-context.js';
import { connectThroughSimulator } from '../connections/browser.js';
import type { TestService } from '../support/service.js';

const port = await new Promise<number>((resolve) => {
  const probe = createServer().listen(0, '127.0.0.1', () => {
    const { port: free } = probe.address() as { port: number };
    probe.close(() => resolve(free));
  });
});
const config = loadConfig({
  ...process.env,
  NODE_ENV: 'test',
  PORT: String(port),
  PUBLIC_URL: `http://127.0.0.1:${port}`,
  DATA_DIR: mkdtempSync(join(tmpdir(), 'traced-')),
  TOKEN_ENCRYPTION_KEYS: 'k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=',
  COOKIE_SECRET: 'test-cookie-secret-test-cookie-secret-0123',
});
const service = await startService(config);
const seller = service.simulator!.control.builtInSellers.local;
const shopId = seller.shops[0]!.id;
await connectThroughSimulator(service as unknown as TestService, { openId: seller.openId });
const { key } = await createApiClientAdmin({ store: createApiClientStore(service.db.prisma), clock: systemClock }).create({ name: 'traced app' });
// About to expire, so the read waits for the refresh (a token merely due is served and refreshed behind the answer).
await service.db.sql.query("UPDATE connections SET refresh_due_at = now() - interval '1 minute', access_token_expires_at = now() + interval '30 seconds'");
const response = await fetch(`${service.url}/v1/shops/${shopId}/token`, { headers: { 'x-api-key': key, 'x-request-id': 'traced-token-read' } });
const status = response.status;
await response.text();
await service.close();
await flushTraces();
process.stdout.write(`\n${JSON.stringify({ result: { status, shopId, database: service.db.kind } })}\n`);
process.exit(0);
