import { randomUUID } from 'node:crypto';
import { createWriteStream, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createAuditLog } from '../src/audit/audit-log.js';
import { createReadTally } from '../src/audit/read-tally.js';
import { createAuditStore } from '../src/db/stores/audit-store.js';
import { createCredentialReadStore } from '../src/db/stores/credential-read-store.js';
import { createLogger } from '../src/shared/logger.js';
import { withBenchDatabase } from './token-endpoint.js';

/**
 * Issue #12 item 2, the options measured: N token reads (50 clients × 1,000 shops, at 2,500 reads a
 * second of simulated time) audited (a) as one audit_events row each (before), (b) counted per client
 * × shop × connection × minute in credential_reads, flushed every 5 s (chosen), (c) as one JSON
 * line each in an append-only file (a Vault-style audit device). Per option: the hot path's cost per
 * read, Postgres statements and time, and what is stored.
 */
export async function benchAuditOptions(): Promise<void> {
  const reads = Number(process.env.BENCH_AUDIT_READS ?? 100_000);
  const perSecond = 2_500;
  const logger = createLogger('silent');
  const sample = Array.from({ length: reads }, (_, i) => ({
    clientId: `client-${i % 50}`, shopId: `shop-${(i * 7) % 1000}`, connectionId: `conn-${(i * 7) % 1000}`, outcome: 'success' as const, requestId: randomUUID(),
  }));
  await withBenchDatabase(async (bench) => {
    let now = Date.parse('2026-12-03T10:00:00.000Z');
    const clock = { now: () => new Date(now) };
    const size = async (table: string) => Number((await bench.pool.query<{ n: string }>(`SELECT pg_total_relation_size('${table}') AS n`)).rows[0]!.n);
    const report = (label: string, hotMs: number, statements: number, dbMs: number, stored: string) =>
      console.log(`  ${label}: hot path ${((hotMs * 1000) / reads).toFixed(2)} µs/read; ${statements} statements (${((statements * 1000) / reads).toFixed(2)} per 1,000 reads), ${dbMs.toFixed(0)} ms in Postgres; ${stored}`);
    console.log(`audit of ${reads} token reads (50 clients × 1,000 shops, ${perSecond}/s simulated):`);

    // (a) one audit_events row per read, written in batches of 500 (what the service did before).
    const audit = createAuditLog(createAuditStore(bench.db.sql), { clock, logger });
    let hot = 0;
    let started = performance.now();
    for (const read of sample) {
      const t = performance.now();
      audit.record({ actorType: 'api_client', actorId: read.clientId, action: 'token.read', outcome: read.outcome, shopId: read.shopId, connectionId: read.connectionId, requestId: read.requestId, detail: { route: 'GET /v1/shops/:shopId/token' } });
      hot += performance.now() - t;
    }
    await audit.flush();
    report('row per read (before)', hot, Math.ceil(reads / 500), performance.now() - started - hot, `${reads} rows, ${((await size('audit_events')) / 1e6).toFixed(1)} MB`);

    // (b) the tally, flushed every 5 simulated seconds (its default).
    const tally = createReadTally(createCredentialReadStore(bench.db.sql), { clock, logger });
    hot = 0;
    let flushMs = 0;
    let statements = 0;
    for (const [i, read] of sample.entries()) {
      const t = performance.now();
      tally.record(read);
      hot += performance.now() - t;
      if ((i + 1) % (perSecond * 5) === 0) {
        now += 5000;
        const f = performance.now();
        await tally.flush();
        flushMs += performance.now() - f;
        statements += 1;
      }
    }
    const f = performance.now();
    await tally.flush();
    flushMs += performance.now() - f;
    statements += 1;
    const rows = Number((await bench.pool.query<{ n: string }>('SELECT count(*) AS n FROM credential_reads')).rows[0]!.n);
    report('aggregate per client × shop × minute (chosen)', hot, statements, flushMs, `${rows} rows, ${((await size('credential_reads')) / 1e6).toFixed(1)} MB`);

    // (c) JSON lines to an append-only file.
    const file = join(tmpdir(), `tsc-bench-audit-${process.pid}.jsonl`);
    const stream = createWriteStream(file);
    hot = 0;
    started = performance.now();
    for (const read of sample) {
      const t = performance.now();
      stream.write(`${JSON.stringify({ time: clock.now().toISOString(), type: 'token.read', ...read })}\n`);
      hot += performance.now() - t;
    }
    await new Promise<void>((resolve) => stream.end(resolve));
    report('JSON lines stream (file)', hot, 0, 0, `${reads} lines, ${(statSync(file).size / 1e6).toFixed(1)} MB (write drained in ${(performance.now() - started - hot).toFixed(0)} ms)`);
    rmSync(file);
  });
}
