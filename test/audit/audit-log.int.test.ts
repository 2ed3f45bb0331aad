import { createAuditStore } from '../../src/db/stores/audit-store.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditLog } from '../../src/audit/audit-log.js';
import { createLogger } from '../../src/shared/logger.js';
import { FakeClock } from '../support/clock.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

describe('createAuditLog', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.close();
  });

  it('returns from record() at once and writes the events on flush, with the clock time', async () => {
    const clock = new FakeClock('2026-11-23T12:00:00Z');
    const audit = createAuditLog(createAuditStore(db.sql), { clock, logger: createLogger('silent'), flushIntervalMs: 60_000 });
    audit.record({ actorType: 'api_client', actorId: 'client-1', action: 'token.read', outcome: 'success', shopId: 'shop-1', detail: { route: 'token' } });
    audit.record({ actorType: 'system', action: 'refresh.failed', outcome: 'failure', connectionId: null });
    expect(await db.prisma.auditEvent.count()).toBe(0);
    await audit.flush();
    const rows = await db.prisma.auditEvent.findMany({ orderBy: { id: 'asc' } });
    expect(rows.map((r) => [r.action, r.outcome, r.actorId, r.shopId, r.occurredAt.toISOString(), r.detail])).toStrictEqual([
      ['token.read', 'success', 'client-1', 'shop-1', '2026-11-23T12:00:00.000Z', { route: 'token' }],
      ['refresh.failed', 'failure', null, null, '2026-11-23T12:00:00.000Z', null],
    ]);
    await audit.close();
  });

  it('loses nothing on close (clean shutdown)', async () => {
    const audit = createAuditLog(createAuditStore(db.sql), { clock: new FakeClock(), logger: createLogger('silent'), flushIntervalMs: 60_000, maxBatch: 7 });
    const before = await db.prisma.auditEvent.count();
    for (let i = 0; i < 50; i++) audit.record({ actorType: 'system', action: `bulk.${i}`, outcome: 'success' });
    await audit.close();
    expect((await db.prisma.auditEvent.count()) - before).toBe(50);
  });
});

describe('createAuditLog with awkward values', () => {
  it('stores quotes, commas, braces, backslashes, Unicode and nested detail exactly', async () => {
    const db = await createTestDatabase();
    try {
      const audit = createAuditLog(createAuditStore(db.sql), { clock: new FakeClock(), logger: createLogger('silent'), flushIntervalMs: 60_000 });
      const detail = { note: 'a "quoted", {braced} \\ back\\slash – café 🚀', list: [1, null, { x: 'y' }] };
      audit.record({ actorType: 'admin', actorId: 'ops@example.com', action: 'connection.suspended', outcome: 'success', detail });
      audit.record({ actorType: 'system', action: 'a,b', outcome: 'failure', requestId: 'NULL' });
      await audit.close();
      const rows = await db.prisma.auditEvent.findMany({ orderBy: { id: 'asc' } });
      expect(rows.map((r) => [r.actorId, r.action, r.requestId, r.detail])).toStrictEqual([
        ['ops@example.com', 'connection.suspended', null, detail],
        [null, 'a,b', 'NULL', null],
      ]);
    } finally {
      await db.close();
    }
  });
});

describe('createAuditLog with events Postgres cannot store as they are', () => {
  it('writes U+0000 and lone surrogates as U+FFFD, so no event is dropped for its text (issue #15)', async () => {
    const db = await createTestDatabase();
    try {
      const audit = createAuditLog(createAuditStore(db.sql), { clock: new FakeClock(), logger: createLogger('silent'), flushIntervalMs: 60_000 });
      audit.record({ actorType: 'merchant', action: 'before', outcome: 'denied', detail: { error: 'a\u0000b', [`key\u0000`]: '\\\u0000' } });
      audit.record({ actorType: 'merchant', action: 'escaped', outcome: 'denied', detail: { literal: 'a \\u0000 and \\\\u0000 stay as written' } });
      audit.record({ actorType: 'merchant', action: 'unstorable', outcome: 'denied', detail: { text: 'lone \ud800 surrogate' } });
      audit.record({ actorType: 'merchant', action: 'after', outcome: 'success' });
      await audit.close();
      const rows = await db.prisma.auditEvent.findMany({ orderBy: { id: 'asc' } });
      expect(rows.map((r) => [r.action, r.detail])).toStrictEqual([
        ['before', { error: 'a\uFFFDb', [`key\uFFFD`]: '\\\uFFFD' }],
        ['escaped', { literal: 'a \\u0000 and \\\\u0000 stay as written' }],
        ['unstorable', { text: 'lone \uFFFD surrogate' }],
        ['after', null],
      ]);
    } finally {
      await db.close();
    }
  });
});
