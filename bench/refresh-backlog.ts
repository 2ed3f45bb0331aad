import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedConnections } from './support/seed.js';
import { withBenchDatabase } from './token-endpoint.js';

interface Grant {
  openId: string;
  shopId: string;
  cipher: string;
  accessToken: string;
  refreshToken: string;
}

/**
 * Issue #12 item 5: after a 6-hour TikTok outage, BENCH_BACKLOG (default 10,000) authorizations are
 * past their refresh time (their access tokens still valid: TikTok's last 7 days). A fresh service
 * (production settings, default REFRESH_CONCURRENCY and sweep interval) starts on them; the figure is
 * the time until none is due, with the simulator's count of refresh calls per second at peak and any
 * 429s (TikTok's limit is 50 calls a second per app, shop and API: each shop is refreshed once here).
 */
export async function benchRefreshBacklog(): Promise<void> {
  const count = Number(process.env.BENCH_BACKLOG ?? 10_000);
  const timeoutSeconds = Number(process.env.BENCH_BACKLOG_TIMEOUT_SECONDS ?? 600);
  const file = join(tmpdir(), `tsc-bench-grants-${process.pid}.json`);
  await withBenchDatabase(
    async (bench) => {
      const grants = JSON.parse(readFileSync(file, 'utf8')) as Grant[];
      rmSync(file);
      const now = Date.now();
      const outage = 6 * 3_600_000;
      await seedConnections(bench.pool, bench.vault, {
        connections: grants.length, shopsPerConnection: 0, prefix: 'backlog',
        accessToken: (i) => grants[i]!.accessToken, refreshToken: (i) => grants[i]!.refreshToken, openId: (i) => grants[i]!.openId,
        accessExpiresAt: new Date(now + 7 * 86_400_000 - outage), refreshDueAt: new Date(now - outage),
      });
      await bench.pool.query(
        `INSERT INTO shops (id, connection_id, cipher, name, region)
         SELECT t.id, 'backlog-c-' || (t.n - 1), t.cipher, 'Bench Shop', 'US' FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS t(id, cipher, n)`,
        [grants.map((grant) => grant.shopId), grants.map((grant) => grant.cipher)],
      );
      const due = async () => Number((await bench.pool.query<{ n: string }>('SELECT count(*) AS n FROM connections WHERE refresh_due_at <= now()')).rows[0]!.n);
      const refreshCalls = async () => ((await (await fetch(`${bench.simulatorUrl}/_sim/counters`)).json()) as { refreshes: { total: number } }).refreshes.total;
      console.log(`refresh backlog: ${await due()} authorizations due after a simulated 6-hour outage (access tokens still valid)`);
      const started = Date.now();
      const service = await bench.startService();
      let peak = 0;
      let last = await refreshCalls();
      let left = await due();
      while (left > 0 && Date.now() - started < timeoutSeconds * 1000) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        const calls = await refreshCalls();
        peak = Math.max(peak, calls - last);
        last = calls;
        left = await due();
      }
      const seconds = (Date.now() - started) / 1000;
      const failed = Number((await bench.pool.query<{ n: string }>(`SELECT count(*) AS n FROM connections WHERE refresh_failure_count > 0 OR status <> 'active'`)).rows[0]!.n);
      console.log(`  drained: ${left === 0 ? 'yes' : `no, ${left} still due`} in ${seconds.toFixed(0)} s from service start (ready ${(service.readyMs / 1000).toFixed(1)} s), ${last} refresh calls, peak ${peak}/s, ${failed} failed or not active`);
      console.log(`  at REFRESH_CONCURRENCY=4 (default) and REFRESH_SWEEP_INTERVAL_SECONDS=60: ${(count / seconds).toFixed(0)} refreshes/s on average; raise REFRESH_CONCURRENCY (per process) or add replicas to drain faster`);
      console.log(`  TikTok's limits: peak ${peak} refresh calls/s over ${count} shops, each refreshed once, ${failed} failed (goal ≤ 50 calls a second per app, shop and API, no refusal): ${failed === 0 && left === 0 ? 'met' : 'NOT met'}`);
      console.log(`  backlog of ${count} drained in ${seconds.toFixed(0)} s at the default concurrency (goal ≤ 600 s): ${left === 0 && seconds <= 600 ? 'met' : 'NOT met'}`);
    },
    { simulatorEnv: { BENCH_GRANTS: String(count), BENCH_GRANTS_FILE: file } },
  );
}
