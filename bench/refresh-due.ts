import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { openDatabase } from '../src/db/database.js';
import { migrate, readMigrations } from '../src/db/migrate.js';
import { dueSelectionSql } from '../src/db/stores/refresh-claims.js';
import { migrationsDirectory } from '../src/db/target.js';

/**
 * The sweeper's due selection on Postgres over 100,000 connections of which 1% are due: median and
 * p95 over 50 runs of the very statement the sweeper runs, and its plan. Creates and drops its own
 * database on TEST_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/test).
 */
export async function benchRefreshDue(): Promise<void> {
  const server = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
  const rows = Number(process.env.BENCH_CONNECTIONS ?? 100_000);
  const runs = 50;
  const name = `tsc_bench_due_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  const db = await openDatabase({ kind: 'postgres', url: url.toString(), poolSize: 2 });
  try {
    await migrate(db.sql, await readMigrations(migrationsDirectory));
    const now = new Date();
    // 1% due (in the past), the rest spread over the next week; a few of every other status.
    await db.sql.query(
      `INSERT INTO connections (id, open_id, user_type, seller_name, status, granted_scopes, access_token_sealed, refresh_token_sealed,
         encryption_key_id, access_token_expires_at, refresh_token_expires_at, refresh_due_at, authorized_at)
       SELECT 'c-' || g, 'open-' || g, 0, 'Seller ' || g,
         (CASE WHEN g % 50 = 1 THEN 'needs_reauth' ELSE 'active' END)::"ConnectionStatus", '{seller.order.info}',
         'v1.k1.iv.ciphertext.tag', 'v1.k1.iv.ciphertext.tag', 'k1', $1::timestamptz + interval '7 days', $1::timestamptz + interval '365 days',
         CASE WHEN g % 50 = 1 THEN NULL
              WHEN g % 100 = 0 THEN $1::timestamptz - (g % 600) * interval '1 second'
              ELSE $1::timestamptz + (g % 10080 + 1) * interval '1 minute' END,
         $1
       FROM generate_series(1, $2::int) AS g`,
      [now, rows],
    );
    await db.sql.exec('ANALYZE connections');
    // The sweeper takes batches of 100; finding every due connection at once is the goal's measure.
    const measure = async (limit: number) => {
      const timings: number[] = [];
      let selected = 0;
      for (let run = 0; run < runs + 5; run += 1) {
        const started = performance.now();
        selected = (await db.sql.query(dueSelectionSql, [now, limit])).length;
        if (run >= 5) timings.push(performance.now() - started);
      }
      timings.sort((a, b) => a - b);
      return { selected, median: timings[Math.floor(timings.length / 2)]!, p95: timings[Math.ceil(timings.length * 0.95) - 1]! };
    };
    const all = await measure(rows);
    const batch = await measure(100);
    const params = [now, rows];
    const plan = (await db.sql.query<{ 'QUERY PLAN': string }>(`EXPLAIN ANALYZE ${dueSelectionSql}`, params)).map((row) => row['QUERY PLAN']);
    console.log(`${rows} connections, ${Math.round(rows / 100)} due`);
    console.log(`refresh due selection, all ${all.selected} due: median ${all.median.toFixed(2)} ms, p95 ${all.p95.toFixed(2)} ms over ${runs} runs (goal ≤ 50 ms): ${all.p95 <= 50 ? 'met' : 'NOT met'}`);
    console.log(`refresh due selection, a sweeper batch of ${batch.selected}: median ${batch.median.toFixed(2)} ms, p95 ${batch.p95.toFixed(2)} ms`);
    console.log(`plan: ${plan.find((line) => /Index/.test(line))?.trim() ?? plan.join(' | ')}`);
    for (const line of plan) console.log(`  ${line}`);
  } finally {
    await db.close();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}
