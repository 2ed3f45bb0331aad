import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.js';
import { databaseUnavailable, DatabaseUnavailable } from '../../src/shared/errors.js';
import { createEmptyPostgresDatabase, testBackend } from '../support/database.js';
import { startTcpProxy } from '../support/tcp-proxy.js';

/**
 * Found by the chaos proof (npm run proof): the database stopping while a transaction held its
 * connection between two statements ended the whole process (pg's 'error' event on a checked-out
 * client had no listener), and Prisma's "Server has closed the connection" (P1017) answered 500.
 */
describe.runIf(testBackend === 'postgres')('a connection lost in the middle of a transaction', () => {
  let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
  let db: Database;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const empty = await createEmptyPostgresDatabase();
    drop = empty.drop;
    const direct = new URL(empty.url);
    proxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
    const proxied = new URL(empty.url);
    proxied.host = `127.0.0.1:${proxy.port}`;
    db = await openDatabase({ kind: 'postgres', url: proxied.toString(), poolSize: 2, acquireTimeoutMs: 500, statementTimeoutMs: 1000 });
  });
  afterAll(async () => {
    await db?.close();
    await proxy?.close();
    await drop?.();
  });

  it('fails that transaction with database_unavailable and leaves the process running', async () => {
    const failed = db.sql.transaction(async (tx) => {
      await tx.query('SELECT 1');
      proxy.refuse();
      // The connection drops while the transaction holds it and runs nothing.
      await new Promise((resolve) => setTimeout(resolve, 300));
      await tx.query('SELECT 1');
    });
    await expect(failed).rejects.toBeInstanceOf(DatabaseUnavailable);
    proxy.open();
    await expect(db.sql.query('SELECT 1 AS one')).resolves.toStrictEqual([{ one: 1 }]);
  });

  it("counts Prisma's lost-connection errors as the database being away", () => {
    const prismaError = Object.assign(new Error('Invalid `prisma.apiClient.findUnique()` invocation: Server has closed the connection.'), { code: 'P1017' });
    expect(databaseUnavailable(prismaError)).toBeInstanceOf(DatabaseUnavailable);
    expect(databaseUnavailable(Object.assign(new Error('Timed out fetching a new connection from the connection pool.'), { code: 'P2024' }))).toBeInstanceOf(DatabaseUnavailable);
    expect(databaseUnavailable(Object.assign(new Error('Unique constraint failed'), { code: 'P2002' }))).toBeUndefined();
  });
});
