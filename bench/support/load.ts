import autocannon from 'autocannon';
import type pg from 'pg';

/** The relations a route reads, for {@link prewarm}: its table and the primary key it is read by. */
export const routeRelations = {
  floor: ['bench_floor', 'bench_floor_pkey'],
  join: ['shops', 'shops_pkey', 'connections', 'connections_pkey'],
  service: ['shop_credentials', 'shop_credentials_pkey'],
} as const;

export type Route = keyof typeof routeRelations;

/** One bench database's routes: its service and floor processes, the API key, the ids read, and a connection for the prewarm. */
export interface LoadTarget {
  service: string;
  floor: string;
  key: string;
  shopIds: readonly string[];
  floorIds: readonly string[];
  pool: pg.Pool;
}

/** `duration` seconds at 50 connections, each request for a random one of `ids` (`path` makes its path). */
export function loadRandom(url: string, ids: readonly string[], path: (id: string) => string, duration: number, headers: Record<string, string> = {}): Promise<autocannon.Result> {
  const pick = () => ids[Math.floor(Math.random() * ids.length)]!;
  return autocannon({ url, connections: 50, duration, headers, requests: [{ setupRequest: (request) => ({ ...request, path: path(pick()) }) }] });
}

/** Reads the relations into Postgres's buffer cache (`pg_prewarm`, which the bench database has). */
export async function prewarm(pool: pg.Pool, relations: readonly string[]): Promise<void> {
  await pool.query('SELECT pg_prewarm(relation) FROM unnest($1::regclass[]) AS relation', [relations]);
}

/** The untimed warm-up before a timed round of `seconds`. */
export const warmUpSecondsFor = (seconds: number): number => Math.max(1, Math.round(seconds / 3));

/** The load of one route of `target` for `duration` seconds. */
function routeLoad(target: LoadTarget, route: Route, duration: number): Promise<autocannon.Result> {
  if (route === 'floor') return loadRandom(target.floor, target.floorIds, (id) => `/floor/${id}`, duration);
  if (route === 'join') return loadRandom(target.floor, target.shopIds, (shop) => `/join/shops/${shop}/token`, duration);
  return loadRandom(target.service, target.shopIds, (shop) => `/v1/shops/${shop}/token`, duration, { 'x-api-key': target.key });
}

/**
 * A timed round of `seconds` after the route's relations are read into Postgres's buffer cache (`pg_prewarm`) and
 * an untimed warm-up of the route: routes share that cache, and on 300,000 shops a warm-up alone touches a few per
 * cent of a table's rows, so each route was measured on pages the other had evicted.
 */
export function timedRound(target: LoadTarget, route: Route, seconds: number): Promise<autocannon.Result> {
  return measuredRound(target, route, seconds, (run) => run());
}

/** {@link timedRound} with the timed load run inside `during` (e.g. to read the CPU it cost: `bench/ab.ts`). */
export async function measuredRound<T>(target: LoadTarget, route: Route, seconds: number, during: (run: () => Promise<autocannon.Result>) => Promise<T>): Promise<T> {
  await prewarm(target.pool, routeRelations[route]);
  await routeLoad(target, route, warmUpSecondsFor(seconds));
  return during(() => routeLoad(target, route, seconds));
}

/** Requests a second over rounds of `seconds` each (their totals summed, so a long slow round weighs as it should). */
export const throughputOf = (rounds: readonly autocannon.Result[], seconds: number): number =>
  rounds.reduce((sum, round) => sum + round.requests.total, 0) / (rounds.length * seconds);

/** The median of the rounds' latency percentile. */
export const medianLatency = (rounds: readonly autocannon.Result[], percentile: 'p50' | 'p99'): number =>
  rounds.map((round) => round.latency[percentile]).sort((x, y) => x - y)[Math.floor(rounds.length / 2)]!;
