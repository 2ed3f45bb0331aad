import { LRUCache } from 'lru-cache';
import type { ApiClientStore } from '../db/stores/api-client-store.js';
import type { Clock } from '../shared/clock.js';
import { ApiKeyInvalid } from '../shared/errors.js';
import { constantTimeEqual } from '../shared/secrets.js';
import { apiKeyPrefix, hashApiKey } from './api-keys.js';

/** The caller behind a verified key. */
export interface ApiPrincipal {
  id: string;
  name: string;
  scopes: ReadonlySet<string>;
  /** `undefined`: every shop. */
  shopIds: ReadonlySet<string> | undefined;
  /** TikTok Shop apps whose connections the key reaches; `undefined`: every app. */
  apps: ReadonlySet<string> | undefined;
  /** null: the configured default. */
  rateLimitPerMinute: number | null;
  dailyQuota: number | null;
}

export interface KeyVerifier {
  /**
   * The client of a well-formed key: at once (no promise) when its prefix was looked up within the
   * TTL, otherwise after one indexed read. Throws {@link ApiKeyInvalid} for unknown or revoked keys.
   */
  verify(key: string): ApiPrincipal | Promise<ApiPrincipal>;
}

export interface KeyVerifierOptions {
  store: Pick<ApiClientStore, 'findByPrefix'>;
  clock: Clock;
  /**
   * How long a lookup by prefix is reused (default 5 s). This is the revocation delay: a key revoked
   * through the CLI stops working on every replica within this time.
   */
  cacheTtlMs?: number;
  /** Entries kept at most; the oldest go first. */
  maxEntries?: number;
}

interface Entry {
  expiresAt: number;
  /** `undefined`: no client has this prefix, or it is revoked. */
  client: { principal: ApiPrincipal; keyHash: string } | undefined;
}

/**
 * Verifies keys with at most one indexed read per prefix and TTL: the stored SHA-256 is compared
 * with the presented key's hash in constant time, and both hits and misses are cached briefly.
 */
export function createKeyVerifier(options: KeyVerifierOptions): KeyVerifier {
  const ttl = options.cacheTtlMs ?? 5_000;
  const maxEntries = options.maxEntries ?? 10_000;
  /** By key prefix; bounded, the least recently used prefix evicted first (unknown prefixes are cached too). */
  const cache = new LRUCache<string, Entry>({ max: Math.max(1, maxEntries) });
  const pending = new Map<string, Promise<Entry>>();

  async function load(prefix: string): Promise<Entry> {
    const record = await options.store.findByPrefix(prefix);
    const client =
      record && record.revokedAt === null
        ? {
            principal: {
              id: record.id,
              name: record.name,
              scopes: new Set(record.scopes),
              shopIds: record.shopIds.length > 0 ? new Set(record.shopIds) : undefined,
              apps: record.apps.length > 0 ? new Set(record.apps) : undefined,
              rateLimitPerMinute: record.rateLimitPerMinute,
              dailyQuota: record.dailyQuota,
            },
            keyHash: record.keyHash,
          }
        : undefined;
    const entry = { expiresAt: options.clock.now().getTime() + ttl, client };
    cache.set(prefix, entry);
    return entry;
  }

  function entryFor(prefix: string): Promise<Entry> {
    let loading = pending.get(prefix);
    if (!loading) {
      loading = load(prefix).finally(() => pending.delete(prefix));
      pending.set(prefix, loading);
    }
    return loading;
  }

  function principalOf(entry: Entry, key: string): ApiPrincipal {
    if (!entry.client || !constantTimeEqual(entry.client.keyHash, hashApiKey(key))) {
      throw new ApiKeyInvalid('The API key is unknown or has been revoked.');
    }
    return entry.client.principal;
  }

  return {
    verify(key) {
      const prefix = apiKeyPrefix(key);
      if (prefix === undefined) throw new ApiKeyInvalid('The API key is not valid.');
      // The hot path: a prefix seen within the TTL is answered without a promise.
      const cached = cache.get(prefix);
      if (cached && cached.expiresAt > options.clock.now().getTime()) return principalOf(cached, key);
      return entryFor(prefix).then((entry) => principalOf(entry, key));
    },
  };
}
