import autocannon from 'autocannon';
import type pg from 'pg';

/** The relations a route reads, for {@link prewarm}: its table and the primary key it is read by. */
export const routeRelations = {
  floor: ['bench_floor', 'bench_floor_pkey'],
  join: ['shops', 'shops_pkey', 'connections', 'connections_pkey'],
  service: ['shop_credentials', 'shop_credentials_pkey'],
} as const;

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
