import { Agent, fetch as undiciFetch } from 'undici';
import type { FetchLike } from './fetch-envelope.js';

export interface TikTokHttp {
  /** What the auth and API clients take: undici's fetch over this agent's pooled keep-alive connections. */
  fetch: FetchLike;
  /** Closes the pooled connections (on shutdown). */
  close(): Promise<void>;
}

/**
 * One undici connection pool for every call to TikTok: connections are reused across requests
 * (keep-alive), bounded per host, and a connect attempt gives up after `connectTimeoutMs`.
 *
 * @example
 * const http = createTikTokHttp();
 * const api = createApiClient({ fetch: http.fetch, apiBaseUrl, appKey, appSecret, clock });
 * // on shutdown: await http.close();
 */
export function createTikTokHttp(options: { connectionsPerHost?: number; connectTimeoutMs?: number } = {}): TikTokHttp {
  const agent = new Agent({
    connections: options.connectionsPerHost ?? 64,
    keepAliveTimeout: 30_000,
    connect: { timeout: options.connectTimeoutMs ?? 10_000 },
  });
  return {
    fetch: (url, init) => undiciFetch(url, { ...init, dispatcher: agent }),
    close: () => agent.close(),
  };
}
