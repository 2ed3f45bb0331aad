import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { withKey } from '../apps/support.js';
import { createEmptyPostgresDatabase, testBackend } from '../support/database.js';
import { startTestService, type TestService } from '../support/service.js';
import { startTcpProxy } from '../support/tcp-proxy.js';

/**
 * Issue #15: a database that is stopped or cut off makes every request fail fast with 503
 * `database_unavailable` and Retry-After (never a 500, never a hang), /readyz says so, and the
 * service recovers by itself when the database is back. Postgres only: PGlite runs in the process.
 */
describe.runIf(testBackend === 'postgres')('when the database is away', () => {
  let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
  let service: TestService;
  let drop: () => Promise<void>;
  let call: ReturnType<typeof withKey>;
  const acquireTimeoutMs = 500;
  const statementTimeoutMs = 1000;

  beforeAll(async () => {
    const empty = await createEmptyPostgresDatabase();
    drop = empty.drop;
    const direct = new URL(empty.url);
    proxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
    const proxied = new URL(empty.url);
    proxied.host = `127.0.0.1:${proxy.port}`;
    const db = await openDatabase({ kind: 'postgres', url: proxied.toString(), poolSize: 4, acquireTimeoutMs, statementTimeoutMs });
    service = await startTestService({}, { db: { ...db, close: db.close } });
    call = withKey(service, (await service.core.operator.apiClients.create({ name: 'outage app' })).key);
    expect((await call('/v1/connections')).status).toBe(200);
  });
  afterAll(async () => {
    await service?.stop();
    await proxy?.close();
    await drop?.();
  });

  /** The answer and how long it took. */
  async function timed(path: string, init?: RequestInit) {
    const started = performance.now();
    const response = await (path.startsWith('/v1') ? call(path, init) : service.request(path, init));
    return { response, ms: performance.now() - started, body: (await response.json()) as Record<string, unknown> };
  }

  async function recovered() {
    for (let attempt = 0; attempt < 50; attempt += 1) {
      if ((await call('/v1/connections')).status === 200) return true;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    return false;
  }

  it('answers 503 database_unavailable with Retry-After at once while the database is down, and recovers without a restart', async () => {
    proxy.refuse();
    const { response, ms, body } = await timed('/v1/connections');
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(body).toMatchObject({ success: false, code: 'database_unavailable', hint: expect.stringContaining('Retry-After') });
    expect(ms).toBeLessThan(acquireTimeoutMs + statementTimeoutMs + 2_000);
    expect((await timed('/readyz')).response.status).toBe(503);

    proxy.open();
    expect(await recovered()).toBe(true);
    expect((await timed('/readyz')).response.status).toBe(200);
  });

  it('answers 503 within the timeouts, not after the partition, while the network is frozen', async () => {
    expect(await recovered()).toBe(true);
    proxy.freeze();
    const answers = await Promise.all([timed('/v1/connections'), timed('/v1/connections'), timed('/readyz')]);
    for (const { response, ms } of answers) {
      expect(response.status).toBe(503);
      expect(ms).toBeLessThan(acquireTimeoutMs + statementTimeoutMs + 3_000);
    }
    expect(answers[0]!.body).toMatchObject({ code: 'database_unavailable' });
    proxy.open();
    expect(await recovered()).toBe(true);
  });
});
