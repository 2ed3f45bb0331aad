import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

/**
 * The migrations are written by hand to match prisma/schema.prisma (the schema engine cannot run
 * here). These tests prove that the migrated database is what the generated client expects.
 */
describe('the migrated database', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.close();
  });

  it('has every table and column of the Prisma data model, with matching types', async () => {
    const { runtimeDataModel } = await loadRuntimeDataModel();
    const columns = await db.sql.query<{ table_name: string; column_name: string; data_type: string }>(
      "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'public'",
    );
    const actual = new Map(columns.map((c) => [`${c.table_name}.${c.column_name}`, c.data_type]));
    const expectedType: Record<string, string[]> = {
      String: ['text', 'character varying', 'ARRAY'],
      Int: ['integer', 'ARRAY'],
      BigInt: ['bigint'],
      DateTime: ['timestamp with time zone'],
      Json: ['jsonb'],
      Boolean: ['boolean'],
      ConnectionStatus: ['USER-DEFINED'],
    };
    const missing: string[] = [];
    for (const [, model] of Object.entries(runtimeDataModel.models)) {
      for (const field of model.fields) {
        if (field.kind === 'object') continue;
        const key = `${model.dbName}.${field.dbName ?? field.name}`;
        const type = actual.get(key);
        if (!type) missing.push(key);
        else expect(expectedType[field.type], key).toContain(type);
      }
    }
    expect(missing).toStrictEqual([]);
  });

  it('writes and reads back a row of every model through the Prisma client', async () => {
    const p = db.prisma;
    const connection = await p.connection.create({
      data: {
        openId: 'open-1',
        userType: 0,
        sellerName: 'Seller',
        grantedScopes: ['seller.order.info'],
        accessTokenSealed: 'sealed-a',
        refreshTokenSealed: 'sealed-r',
        encryptionKeyId: 'k1',
        accessTokenExpiresAt: new Date('2026-12-01T00:00:00Z'),
        refreshTokenExpiresAt: new Date('2027-03-01T00:00:00Z'),
        refreshDueAt: new Date('2026-11-30T00:00:00Z'),
        authorizedAt: new Date('2026-11-23T00:00:00Z'),
      },
    });
    expect(await p.connection.findUniqueOrThrow({ where: { app_openId: { app: 'default', openId: 'open-1' } } })).toMatchObject({
      id: connection.id,
      status: 'active',
      grantedScopes: ['seller.order.info'],
      tokenVersion: 1,
    });
    await p.shop.create({ data: { id: '7000', connectionId: connection.id, cipher: 'ROW_x', name: 'Shop', region: 'GB' } });
    expect((await p.connection.findUniqueOrThrow({ where: { id: connection.id }, include: { shops: true } })).shops).toHaveLength(1);
    await p.connectSession.create({ data: { tokenHash: 'h1', merchantRef: 'm1', expiresAt: new Date() } });
    await p.oAuthState.create({ data: { stateHash: 's1', browserBindingHash: 'b1', expiresAt: new Date() } });
    await p.apiClient.create({ data: { name: 'app', keyPrefix: 'pfx', keyHash: 'kh', scopes: ['tokens:read'], shopIds: [] } });
    const audit = await p.auditEvent.create({ data: { actorType: 'system', action: 'test', outcome: 'success', detail: { a: 1 } } });
    expect(typeof audit.id).toBe('bigint');
    await p.problem.create({ data: { connectionId: connection.id, kind: 'scope_missing', scopeKeys: ['x'], openKey: 'k' } });
    await p.outboxEvent.create({ data: { type: 'connection.created', payload: { id: connection.id } } });
    await p.adminSessionRevocation.create({ data: { sessionId: 's1', expiresAt: new Date('2026-12-01T08:00:00Z') } });
    await p.rateLimitBucket.create({ data: { key: 'rl', points: 1, expire: 10n } });
    const counts = await Promise.all([
      p.connectSession.count(), p.oAuthState.count(), p.apiClient.count(), p.auditEvent.count(),
      p.problem.count(), p.outboxEvent.count(), p.adminSessionRevocation.count(), p.rateLimitBucket.count(),
    ]);
    expect(counts).toStrictEqual([1, 1, 1, 1, 1, 1, 1, 1]);
  });

  it('answers a compare-and-set update with a row only for the matching version', async () => {
    const [row] = await db.sql.query<{ id: string }>('SELECT id FROM connections LIMIT 1');
    const first = await db.sql.query('UPDATE connections SET token_version = token_version + 1 WHERE id = $1 AND token_version = $2 RETURNING id', [row!.id, 1]);
    const second = await db.sql.query('UPDATE connections SET token_version = token_version + 1 WHERE id = $1 AND token_version = $2 RETURNING id', [row!.id, 1]);
    expect([first.length, second.length]).toStrictEqual([1, 0]);
  });
});

async function loadRuntimeDataModel(): Promise<{
  runtimeDataModel: { models: Record<string, { dbName: string; fields: { name: string; kind: string; type: string; dbName?: string }[] }> };
}> {
  const { readFile } = await import('node:fs/promises');
  const source = await readFile(new URL('../../src/db/generated/internal/class.ts', import.meta.url), 'utf8');
  const match = /config\.runtimeDataModel = JSON\.parse\((".*")\)/.exec(source);
  if (!match) throw new Error('runtime data model not found in the generated client');
  return { runtimeDataModel: JSON.parse(JSON.parse(match[1]!) as string) };
}
