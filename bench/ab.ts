import { cpuDuring } from './support/cpu.js';
import { measuredRound, type LoadTarget, type Route } from './support/load.js';
import { seedConnections, seedFloor } from './support/seed.js';
import type { ServiceProcess } from './support/service-process.js';
import { withBenchDatabase } from './token-endpoint.js';

/**
 * `npm run bench:ab`: the token endpoint of service variants side by side, each started as `npm start`
 * starts it plus its own environment or node flags, against the simplest route, in alternating rounds
 * on one database, with the CPU each round cost the server's process, Postgres and the load generator
 * per request. For separating causes (a cache size, a node flag, a feature switched off) where the
 * ratio between two whole runs is within their noise.
 *
 * AB_VARIANTS: `name=ENV=value,ENV=value --node-flag @dir;name2=…` (default: one variant, `npm start` as is),
 * where `@dir` runs another build of the project: e.g. `git stash && node scripts/build.mjs dist-before
 * && git stash pop` compares the working tree with what it changes.
 * AB_CONNECTIONS (default 100,000, three shops each), AB_ROUNDS (4), AB_SECONDS (15).
 */
const variants = (process.env.AB_VARIANTS ?? 'npm start=').split(';').map((spec) => {
  const [name, ...rest] = spec.split('=');
  const words = rest.join('=').split(/[ ,]+/).filter(Boolean);
  return {
    name: name!,
    env: Object.fromEntries(words.filter((word) => /^\w+=/.test(word)).map((word) => [word.slice(0, word.indexOf('=')), word.slice(word.indexOf('=') + 1)])),
    nodeFlags: words.filter((word) => word.startsWith('--')),
    bundle: words.find((word) => word.startsWith('@'))?.slice(1),
  };
});
const connections = Number(process.env.AB_CONNECTIONS ?? 100_000);
const rounds = Number(process.env.AB_ROUNDS ?? 4);
const seconds = Number(process.env.AB_SECONDS ?? 15);
/** CPU milliseconds spread over `requests`, as whole µs a request. */
const perRequest = (ms: number, requests: number) => ((ms * 1000) / requests).toFixed(0);

await withBenchDatabase(async (bench) => {
  const shopIds = await seedConnections(bench.pool, bench.vault, { connections, shopsPerConnection: 3, prefix: 'ab' });
  const floorIds = await seedFloor(bench.pool, shopIds.length);
  const services: ServiceProcess[] = [];
  for (const variant of variants) services.push(await bench.startService(variant.env, { nodeFlags: variant.nodeFlags, ...(variant.bundle ? { bundle: variant.bundle } : {}) }));
  /** The bench database's routes with `service` as the service (the floor's target loads only the floor route). */
  const loadTarget = (service: string): LoadTarget => ({ service, floor: bench.floorUrl, key: bench.key, shopIds, floorIds, pool: bench.pool });
  type Target = { name: string; pid: number; route: Route; target: LoadTarget; rss(): number };
  const targets: Target[] = [
    { name: 'floor', pid: bench.floorPid, route: 'floor', target: loadTarget(bench.floorUrl), rss: bench.floorRssMb },
    ...variants.map((variant, i) => ({ name: variant.name, pid: services[i]!.pid, route: 'service' as const, target: loadTarget(services[i]!.url), rss: services[i]!.rssMb })),
  ];
  const totals = new Map(targets.map((target) => [target.name, { requests: 0, server: 0, postgres: 0, load: 0, p99: [] as number[], rss: 0 }]));
  console.log(`a/b: ${shopIds.length} shops, ${rounds} rounds of ${seconds} s at 50 connections; ${variants.map((v) => `${v.name}: ${JSON.stringify(v.env)} ${v.nodeFlags.join(' ')}${v.bundle ? ` ${v.bundle}` : ''}`).join('; ')}`);
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < targets.length; i++) {
      const target = targets[(round + i) % targets.length]!;
      const { result, serverMs, postgresMs, loadMs } = await measuredRound(target.target, target.route, seconds, (run) => cpuDuring(target.pid, run));
      const total = totals.get(target.name)!;
      const n = result.requests.total;
      Object.assign(total, { requests: total.requests + n, server: total.server + serverMs, postgres: total.postgres + postgresMs, load: total.load + loadMs, rss: target.rss() });
      total.p99.push(result.latency.p99);
      console.log(`  round ${round + 1} ${target.name}: ${result.requests.average.toFixed(0)} req/s, p99 ${result.latency.p99} ms, non-2xx ${result.non2xx + result.errors}; CPU µs a request: server ${perRequest(serverMs, n)}, postgres ${perRequest(postgresMs, n)}, load ${perRequest(loadMs, n)}; RSS ${target.rss().toFixed(0)} MB`);
    }
  }
  const floor = totals.get('floor')!;
  for (const [name, total] of totals) {
    const p99 = total.p99.sort((x, y) => x - y)[Math.floor(total.p99.length / 2)];
    console.log(`${name.padEnd(16)} ${(total.requests / (rounds * seconds)).toFixed(0)} req/s (${(total.requests / floor.requests).toFixed(2)}× floor), p99 ${p99} ms; CPU µs a request: server ${perRequest(total.server, total.requests)}, postgres ${perRequest(total.postgres, total.requests)}, load ${perRequest(total.load, total.requests)}; RSS ${total.rss.toFixed(0)} MB`);
  }
});
process.exit(0);
