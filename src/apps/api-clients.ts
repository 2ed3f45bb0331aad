import type { ApiClientRecord, ApiClientStore } from '../db/stores/api-client-store.js';
import type { Clock } from '../shared/clock.js';
import { ValidationFailed } from '../shared/errors.js';
import { issueApiKey, maskApiKey } from './api-keys.js';
import { apiScopes, isApiScope, type ApiScope } from './scopes.js';

export interface NewClientInput {
  name: string;
  /** Left out: every scope. Empty: refused (a key with no scope could do nothing). */
  scopes?: string[];
  /** Default: every shop. */
  shopIds?: string[];
  /** TikTok Shop app ids; default: every app. */
  apps?: string[];
  rateLimitPerMinute?: number;
  dailyQuota?: number;
}

/** An API client as operators see it: never the key, only its masked prefix. */
export interface ApiClientSummary {
  id: string;
  name: string;
  maskedKey: string;
  scopes: string[];
  shopIds: string[];
  /** Empty: every TikTok Shop app. */
  apps: string[];
  rateLimitPerMinute: number | null;
  dailyQuota: number | null;
  createdAt: string;
  revokedAt: string | null;
}

export interface ApiClientAdmin {
  /** Creates a client; the returned `key` is shown once and cannot be recovered. */
  create(input: NewClientInput): Promise<ApiClientSummary & { key: string }>;
  list(): Promise<ApiClientSummary[]>;
  /** Revokes the client; other replicas stop accepting its key within the verifier cache TTL. */
  revoke(id: string): Promise<ApiClientSummary | undefined>;
}

export function createApiClientAdmin(deps: { store: ApiClientStore; clock: Clock }): ApiClientAdmin {
  return {
    async create(input) {
      const checked = checkNewClient(input);
      const issued = issueApiKey();
      const record = await deps.store.insert({ ...checked, keyPrefix: issued.prefix, keyHash: issued.hash });
      return { ...summarize(record), key: issued.key };
    },
    async list() {
      return (await deps.store.list()).map(summarize);
    },
    async revoke(id) {
      const record = await deps.store.revoke(id, deps.clock.now());
      return record ? summarize(record) : undefined;
    },
  };
}

/** What `create` stores, once checked. */
export interface CheckedClientInput {
  name: string;
  scopes: ApiScope[];
  shopIds: string[];
  apps: string[];
  rateLimitPerMinute: number | null;
  dailyQuota: number | null;
}

/**
 * Checks a new client's input without touching storage, so callers can refuse it before opening
 * anything: a name, at least one known scope (left out: every scope), positive whole limits.
 * @throws {ValidationFailed} naming the CLI flag at fault, with a hint when the fix is not obvious.
 */
export function checkNewClient(input: NewClientInput): CheckedClientInput {
  const name = input.name.trim();
  if (name === '') throw new ValidationFailed('--name is required.');
  const scopes = input.scopes ?? [...apiScopes];
  if (scopes.length === 0) {
    throw new ValidationFailed('--scopes is empty: a key with no scope could do nothing.', [], {
      hint: `Give at least one of ${apiScopes.join(', ')} (comma-separated), or leave --scopes out for every scope.`,
    });
  }
  const unknown = scopes.filter((scope) => !isApiScope(scope));
  if (unknown.length > 0) {
    throw new ValidationFailed(`Unknown scope ${unknown.join(', ')}; scopes are ${apiScopes.join(', ')}.`, [], {
      hint: 'Separate several scopes with commas, e.g. --scopes tokens:read,sign.',
    });
  }
  for (const [flag, value] of [['--rate-limit', input.rateLimitPerMinute], ['--daily-quota', input.dailyQuota]] as const) {
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) throw new ValidationFailed(`${flag} must be a positive whole number.`);
  }
  return {
    name,
    scopes: [...new Set(scopes as ApiScope[])],
    shopIds: [...new Set(input.shopIds ?? [])],
    apps: [...new Set(input.apps ?? [])],
    rateLimitPerMinute: input.rateLimitPerMinute ?? null,
    dailyQuota: input.dailyQuota ?? null,
  };
}

export function summarize(record: ApiClientRecord): ApiClientSummary {
  return {
    id: record.id,
    name: record.name,
    maskedKey: maskApiKey(record.keyPrefix),
    scopes: record.scopes,
    shopIds: record.shopIds,
    apps: record.apps,
    rateLimitPerMinute: record.rateLimitPerMinute,
    dailyQuota: record.dailyQuota,
    createdAt: record.createdAt.toISOString(),
    revokedAt: record.revokedAt?.toISOString() ?? null,
  };
}
