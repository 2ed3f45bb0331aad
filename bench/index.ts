import { benchAuditOptions } from './audit-options.js';
import { benchRefreshBacklog } from './refresh-backlog.js';
import { benchRefreshDue } from './refresh-due.js';
import { benchScale } from './scale.js';
import { benchTokenEndpoint } from './token-endpoint.js';
import { benchWebhookDelivery } from './webhook-delivery.js';

/**
 * `npm run bench`: runs each benchmark in turn and prints its figures (not a pass/fail test).
 * `npm run bench -- token` runs only those whose name contains "token" (the token endpoint and
 * the proxy and the scale run); `npm run bench -- proxy` only the proxy; `-- scale`, `-- backlog`.
 * BENCH_SECONDS (per round, default 10), BENCH_ROUNDS (default 3; 8 in the scale run), BENCH_SOAK_SECONDS (default 60).
 */
const benchmarks: [string, () => Promise<void>][] = [
  ['token endpoint', () => benchTokenEndpoint({ throughput: true, proxy: false })],
  ['token proxy', () => benchTokenEndpoint({ throughput: false, proxy: true })],
  ['token scale', benchScale],
  ['audit options', benchAuditOptions],
  ['refresh due selection', benchRefreshDue],
  ['refresh backlog', benchRefreshBacklog],
  ['webhook delivery', benchWebhookDelivery],
];

const filter = process.argv[2];
for (const [name, run] of benchmarks.filter(([name]) => !filter || name.includes(filter))) {
  console.log(`\n== ${name} ==`);
  // One benchmark failing (e.g. a server not ready on an overloaded machine) does not stop the others.
  await run().catch((error: unknown) => console.log(`  failed: ${error instanceof Error ? error.message : String(error)}`));
}
process.exit(0);
