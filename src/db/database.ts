import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from './generated/client.js';
import { databaseUnavailable } from '../shared/errors.js';
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
  | {
      kind: 'postgres';
      url: string;
      poolSize?: number;
      /** How long a query waits for a pooled connection (and a new connection to open); default 10 s. */
      acquireTimeoutMs?: number;
      /** Postgres's statement_timeout, and the client's own wait for an answer (a frozen network); default none. */
      statementTimeoutMs?: number;
    }
  | { kind: 'pglite'; dataDir?: string; /** A `dumpDataDir()` image to start from (tests). */ loadDataDir?: Blob };

/** Opens Postgres through `@prisma/adapter-pg`, or PGlite (in `dataDir`, or in memory) through its adapter. */
export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  return target.kind === 'postgres' ? openPostgres(target) : openPglite(target.dataDir, target.loadDataDir);
}

/** A failure that means the database is away becomes `DatabaseUnavailable` here, at the edge; any other passes unchanged. */
async function translated<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw databaseUnavailable(error) ?? error;
  }
}

/** A statement may run past the statement timeout only in migrations (its own, longer limit below). */
const scriptTimeoutMs = 10 * 60_000;

async function openPostgres(target: Extract<DatabaseTarget, { kind: 'postgres' }>): Promise<Database> {
  const { url, poolSize = 10, acquireTimeoutMs = 10_000, statementTimeoutMs } = target;
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    connectionTimeoutMillis: acquireTimeoutMs,
    keepAlive: true,
    // The server ends a slow statement; the client stops waiting a little later, for a network that froze.
    ...(statementTimeoutMs ? { statement_timeout: statementTimeoutMs, query_timeout: statementTimeoutMs + 1_000 } : {}),
  });
  pool.on('error', () => {
    // An idle client lost its connection; the pool replaces it. Queries report their own errors.
  });
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  const runner = (client: pg.Pool | pg.PoolClient): SqlRunner => ({
    query: async <Row,>(text: string, params: unknown[] = [], options?: { prepareAs?: string }) =>
      (await translated(client.query(options?.prepareAs ? { name: options.prepareAs, text, values: params } : { text, values: params }))).rows as Row[],
    exec: async (script: string) => {
      // Scripts are migrations: they may take longer than a request's statement.
      const unlimited = statementTimeoutMs ? `SET statement_timeout = ${scriptTimeoutMs};\n` : '';
      await translated(client.query({ text: `${unlimited}${script}`, ...(statementTimeoutMs ? { query_timeout: scriptTimeoutMs } : {}) } as pg.QueryConfig));
    },
  });
  // A checked-out client has no 'error' listener of the pool's: if its connection drops between two
  // queries (the database stopped mid-transaction), the unhandled event would end the process. The
  // next query on it fails and reports the failure instead.
  const ignoreLostConnection = () => undefined;
  const connect = async () => {
    const client = await translated(pool.connect());
    client.on('error', ignoreLostConnection);
    return client;
  };
  const release = (client: pg.PoolClient) => {
    client.removeListener('error', ignoreLostConnection);
    client.release();
  };
  const sql: SqlClient = {
    ...runner(pool),
    session: async (work) => {
      const client = await connect();
      try {
        return await work(runner(client));
      } finally {
        release(client);
      }
    },
    transaction: async (work) => {
      const client = await connect();
      try {
        await translated(client.query('BEGIN'));
        const result = await work(runner(client));
        await translated(client.query('COMMIT'));
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        release(client);
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
  // Imported here, not at the top: loading PGlite costs about 40 MB of RSS and part of a second of
  // start-up, which a service on Postgres never uses (issue #12).
  const [{ PGlite }, { PrismaPGlite }] = await Promise.all([import('@electric-sql/pglite'), import('pglite-prisma-adapter')]);
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
