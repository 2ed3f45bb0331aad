import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testBackend, type TestDatabase } from '../support/database.js';
import { startTestService, type TestService } from '../support/service.js';
import { createClient, withKey } from './support.js';

/** Two replicas over one Postgres share each client's per-minute count through the rate_limits table. */
describe.runIf(testBackend === 'postgres')('rate limits across replicas', () => {
  let db: TestDatabase;
  let a: TestService;
  let b: TestService;

  beforeAll(async () => {
    db = await createTestDatabase();
    a = await startTestService({}, { db });
    b = await startTestService({}, { db });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await db?.close();
  });

  it('refuses on one replica what the other already used, within one sync interval', async () => {
    const { key } = await createClient(a, { rateLimitPerMinute: 4 });
    const path = '/v1/shops/7000000000000000001/token';
    for (let i = 0; i < 3; i++) expect((await withKey(a, key)(path)).status).toBe(404);
    await sleep(300);
    const fourth = await withKey(b, key)(path);
    expect(fourth.status).toBe(404);
    await sleep(300);
    const fifth = await withKey(b, key)(path);
    expect(fifth.status).toBe(429);
    expect(((await fifth.json()) as { code: string }).code).toBe('rate_limited');
    const [row] = await db.sql.query<{ points: number }>(`SELECT points FROM rate_limits WHERE key LIKE '%:m:%'`);
    expect(row!.points).toBe(4);
  });
});
