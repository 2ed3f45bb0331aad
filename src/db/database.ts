import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaClient } from './generated/client.js';
import { lockPgliteDirectory } from './pglite-lock.js';
import type { SqlClient, SqlRunner } from './sql.js';

export type { PrismaClient } from './generated/client.js';

/** The database as the rest of the service sees it: Prisma for most work, raw SQL beside it. */
export interface Database {
  kind: 'pglite' | 'postgres';
  /** The embedded instance, when `kind` is `pglite`. */
  pglite?: PGlite;
  prisma: PrismaClient;
  sql: SqlClient;
  close(): Promise<void>;
}

export type DatabaseTarget =
  | { kind: 'postgres'; url: string; poolSize?: number }
  | { kind: 'pglite'; dataDir?: string; /** A `dumpDataDir()` image to start from (tests). */ loadDataDir?: Blob };

/** Opens Postgres through `@prisma/adapter-pg`, or PGlite (in `dataDir`, or in memory) through its adapter. */
export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  return target.kind === 'postgres' ? openPostgres(target.url, target.poolSize) : openPglite(target.dataDir, target.loadDataDir);
}

async function openPostgres(url: string, poolSize = 10): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 10_000 });
  pool.on('error', () => {
    // An idle client lost its connection; the pool replaces it. Queries report their own errors.
  });
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  const runner = (client: pg.Pool | pg.PoolClient): SqlRunner => ({
    query: async <Row,>(text: string, params: unknown[] = [], options?: { prepareAs?: string }) =>
      (await client.query(options?.prepareAs ? { name: options.prepareAs, text, values: params } : { text, values: params })).rows as Row[],
    exec: async (script: string) => {
      await client.query(script);
    },
  });
  const sql: SqlClient = {
    ...runner(pool),
    session: async (work) => {
      const client = await pool.connect();
      try {
        return await work(runner(client));
      } finally {
        client.release();
      }
    },
    transaction: async (work) => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work(runner(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
  };
  return {
    kind: 'postgres',
    prisma,
    sql,
    close: async () => {
      await prisma.$disconnect();
      await pool.end().catch(() => undefined);
    },
  };
}

async function openPglite(dataDir?: string, loadDataDir?: Blob): Promise<Database> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  // One process at a time: a second one is refused at once rather than failing or losing writes later.
  const unlock = dataDir ? lockPgliteDirectory(dataDir) : () => undefined;
  let client: PGlite;
  try {
    client = new PGlite(dataDir ? join(dataDir) : undefined, loadDataDir ? { loadDataDir } : {});
    await client.waitReady;
  } catch (error) {
    unlock();
    throw error;
  }
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(client) });
  type Queryable = Pick<PGlite, 'query' | 'exec'>;
  const runner = (target: Queryable): SqlRunner => ({
    query: async <Row,>(text: string, params: unknown[] = []) => (await target.query<Row>(text, params)).rows,
    exec: async (script: string) => {
      await target.exec(script);
    },
  });
  const sql: SqlClient = {
    ...runner(client),
    // PGlite has a single connection: the whole database is one session.
    session: async (work) => work(runner(client)),
    transaction: async (work) => client.transaction(async (tx) => work(runner(tx))),
  };
  return {
    kind: 'pglite',
    prisma,
    sql,
    pglite: client,
    close: async () => {
      await prisma.$disconnect();
      await client.close();
      unlock();
    },
  };
}
