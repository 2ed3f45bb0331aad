import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { inject } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.js';
import { migrate, readMigrations } from '../../src/db/migrate.js';
import { migrationsDirectory } from '../../src/db/target.js';

/** Which database the integration tests of this run use (vitest project `pglite` or `postgres`). */
export const testBackend: 'pglite' | 'postgres' = process.env.TEST_BACKEND === 'postgres' ? 'postgres' : 'pglite';

export interface TestDatabase extends Database {
  /** The connection URL of the fresh Postgres database (postgres backend only). */
  url?: string;
}

let image: Blob | undefined;

/**
 * A fresh, migrated, isolated database: an in-memory PGlite, or a new Postgres database created
 * on the `TEST_DATABASE_URL` server and dropped again by `close()`.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  if (testBackend === 'postgres') return createPostgresDatabase();
  image ??= new Blob([readFileSync(inject('pgliteImage'))]);
  const db = await openDatabase({ kind: 'pglite', loadDataDir: image });
  await migrate(db.sql, await readMigrations(migrationsDirectory));
  return db;
}

/** An empty Postgres database (not migrated), and a way to drop it. */
export async function createEmptyPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) throw new Error('TEST_DATABASE_URL is not set');
  const name = `tsc_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

/**
 * An empty database of this run's backend migrated up to, not including, `migration`: a database as
 * the versions before that migration left it. `migrations` is every migration (to apply the rest);
 * `drop` removes the Postgres database once it is closed (nothing to do for PGlite).
 */
export async function openDatabaseBefore(migration: string): Promise<{ db: Database; drop(): Promise<void>; migrations: Awaited<ReturnType<typeof readMigrations>> }> {
  const empty = testBackend === 'postgres' ? await createEmptyPostgresDatabase() : undefined;
  const db = empty ? await openDatabase({ kind: 'postgres', url: empty.url, poolSize: 2 }) : await openDatabase({ kind: 'pglite' });
  const migrations = await readMigrations(migrationsDirectory);
  await migrate(db.sql, migrations.filter((file) => file.name < migration));
  return { db, drop: async () => empty?.drop(), migrations };
}

async function createPostgresDatabase(): Promise<TestDatabase> {
  const empty = await createEmptyPostgresDatabase();
  const db = await openDatabase({ kind: 'postgres', url: empty.url, poolSize: 5 });
  await migrate(db.sql, await readMigrations(migrationsDirectory));
  return {
    ...db,
    url: empty.url,
    close: async () => {
      await db.close();
      await empty.drop();
    },
  };
}
