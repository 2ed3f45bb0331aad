import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { migrate, readMigrations } from '../../src/db/migrate.js';
import { migrationsDirectory } from '../../src/db/target.js';
import { createEmptyPostgresDatabase, createTestDatabase, testBackend, type TestDatabase } from '../support/database.js';

describe('migrate', () => {
  let db: TestDatabase | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });

  it('records every migration in _prisma_migrations with the SHA-256 checksum Prisma uses', async () => {
    db = await createTestDatabase();
    const rows = await db.sql.query<{ migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number }>(
      'SELECT migration_name, checksum, finished_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name',
    );
    const migrations = await readMigrations(migrationsDirectory);
    expect(rows.map((row) => row.migration_name)).toStrictEqual(migrations.map((m) => m.name));
    for (const row of rows) {
      const script = readFileSync(join(migrationsDirectory, row.migration_name, 'migration.sql'));
      expect(row.checksum).toBe(createHash('sha256').update(script).digest('hex'));
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.applied_steps_count).toBe(1);
    }
  });

  it('is idempotent: a second run applies nothing', async () => {
    db = await createTestDatabase();
    const again = await migrate(db.sql, await readMigrations(migrationsDirectory));
    expect(again.applied).toStrictEqual([]);
    expect(again.alreadyApplied.length).toBeGreaterThan(0);
  });

  it('rolls a failing migration back entirely and records nothing for it', async () => {
    db = await createTestDatabase();
    const broken = { name: '29990101000000_broken', script: 'CREATE TABLE half_done (id int);\nSELECT no_such_function();', checksum: 'x' };
    await expect(migrate(db.sql, [broken])).rejects.toThrow(/29990101000000_broken failed and was rolled back/);
    const tables = await db.sql.query("SELECT 1 FROM information_schema.tables WHERE table_name = 'half_done'");
    expect(tables).toStrictEqual([]);
    const recorded = await db.sql.query("SELECT 1 FROM _prisma_migrations WHERE migration_name = '29990101000000_broken'");
    expect(recorded).toStrictEqual([]);
  });

  it.runIf(testBackend === 'postgres')('applies each migration once when several processes migrate an empty database at the same moment', async () => {
    const empty = await createEmptyPostgresDatabase();
    const migrations = await readMigrations(migrationsDirectory);
    const clients = await Promise.all([1, 2, 3].map(() => openDatabase({ kind: 'postgres', url: empty.url, poolSize: 2 })));
    try {
      const results = await Promise.all(clients.map((client) => migrate(client.sql, migrations)));
      expect(results.flatMap((result) => result.applied).sort()).toStrictEqual(migrations.map((m) => m.name).sort());
      const count = await clients[0]!.sql.query<{ n: string }>('SELECT count(*)::text AS n FROM _prisma_migrations');
      expect(count[0]!.n).toBe(String(migrations.length));
    } finally {
      await Promise.all(clients.map((client) => client.close()));
      await empty.drop();
    }
  });
});
