import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SqlClient, SqlRunner } from './sql.js';

/** Prisma's own advisory lock key, so this step and `prisma migrate deploy` exclude each other. */
const prismaAdvisoryLockKey = 72707369;

/** The table exactly as Prisma's migration engine creates it. */
const createMigrationsTable = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export interface MigrationFile {
  name: string;
  script: string;
  checksum: string;
}

export interface MigrateResult {
  applied: string[];
  alreadyApplied: string[];
  /** Applied migrations whose file changed since (Prisma warns about these too). */
  modified: string[];
}

export class MigrationFailed extends Error {
  override readonly name = 'MigrationFailed';
}

/** SHA-256 hex of the script, as Prisma records it in `_prisma_migrations.checksum`. */
export function migrationChecksum(script: string): string {
  return createHash('sha256').update(script, 'utf8').digest('hex');
}

/** Reads `prisma/migrations/<name>/migration.sql` folders in name order. */
export async function readMigrations(directory: string): Promise<MigrationFile[]> {
  const entries = await readdir(directory, { withFileTypes: true });
  const names = entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
  return Promise.all(
    names.map(async (name) => {
      const script = await readFile(join(directory, name, 'migration.sql'), 'utf8');
      return { name, script, checksum: migrationChecksum(script) };
    }),
  );
}

/**
 * Applies pending migrations the way `prisma migrate deploy` does, so either can run against the
 * same database: under Prisma's advisory lock, in name order, each in its own transaction, recorded
 * in `_prisma_migrations` with Prisma's checksum. Safe to run from several processes at once.
 */
export async function migrate(sql: SqlClient, migrations: MigrationFile[]): Promise<MigrateResult> {
  return sql.session(async (session) => {
    await session.query('SELECT pg_advisory_lock($1)', [prismaAdvisoryLockKey]);
    try {
      return await applyPending(session, migrations);
    } finally {
      await session.query('SELECT pg_advisory_unlock($1)', [prismaAdvisoryLockKey]);
    }
  });
}

async function applyPending(session: SqlRunner, migrations: MigrationFile[]): Promise<MigrateResult> {
  await session.exec(createMigrationsTable);
  const rows = await session.query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
    'SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL',
  );
  const failed = rows.find((row) => row.finished_at === null);
  if (failed) {
    throw new MigrationFailed(
      `Migration ${failed.migration_name} started but did not finish; resolve it (prisma migrate resolve) before migrating again.`,
    );
  }
  const applied = new Map(rows.map((row) => [row.migration_name, row.checksum]));
  const result: MigrateResult = { applied: [], alreadyApplied: [], modified: [] };
  for (const migration of migrations) {
    const checksum = applied.get(migration.name);
    if (checksum !== undefined) {
      result.alreadyApplied.push(migration.name);
      const lf = migrationChecksum(migration.script.replace(/\r\n/g, '\n'));
      if (checksum !== migration.checksum && checksum !== lf) result.modified.push(migration.name);
      continue;
    }
    await applyOne(session, migration);
    result.applied.push(migration.name);
  }
  return result;
}

async function applyOne(session: SqlRunner, migration: MigrationFile): Promise<void> {
  const startedAt = new Date();
  await session.exec('BEGIN');
  try {
    await session.exec(migration.script);
    await session.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)
       VALUES ($1, $2, now(), $3, NULL, NULL, $4, 1)`,
      [randomUUID(), migration.checksum, migration.name, startedAt],
    );
    await session.exec('COMMIT');
  } catch (error) {
    await session.exec('ROLLBACK').catch(() => undefined);
    throw new MigrationFailed(`Migration ${migration.name} failed and was rolled back: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
