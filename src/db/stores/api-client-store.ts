import type { ApiClient as ApiClientRow } from '../generated/client.js';
import type { PrismaClient } from '../database.js';

/** An internal app's credential as stored: the key itself is never here, only its SHA-256. */
export interface ApiClientRecord {
  id: string;
  name: string;
  keyPrefix: string;
  keyHash: string;
  scopes: string[];
  /** Empty: every shop. */
  shopIds: string[];
  /** TikTok Shop apps (ids) whose connections the key reaches; empty: every app. */
  apps: string[];
  /** null: the configured default. */
  rateLimitPerMinute: number | null;
  dailyQuota: number | null;
  createdAt: Date;
  revokedAt: Date | null;
}

export type NewApiClient = Omit<ApiClientRecord, 'id' | 'createdAt' | 'revokedAt'>;

export interface ApiClientStore {
  insert(input: NewApiClient): Promise<ApiClientRecord>;
  /** One indexed read (`key_prefix` is unique); revoked clients are returned too. */
  findByPrefix(prefix: string): Promise<ApiClientRecord | undefined>;
  list(): Promise<ApiClientRecord[]>;
  /** Sets `revoked_at` once; `undefined` when no client has this id. */
  revoke(id: string, at: Date): Promise<ApiClientRecord | undefined>;
}

export function createApiClientStore(prisma: PrismaClient): ApiClientStore {
  return {
    async insert(input) {
      return toApiClient(await prisma.apiClient.create({ data: input }));
    },
    async findByPrefix(prefix) {
      const row = await prisma.apiClient.findUnique({ where: { keyPrefix: prefix } });
      return row ? toApiClient(row) : undefined;
    },
    async list() {
      return (await prisma.apiClient.findMany({ orderBy: { createdAt: 'asc' } })).map(toApiClient);
    },
    async revoke(id, at) {
      await prisma.apiClient.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: at } });
      const row = await prisma.apiClient.findUnique({ where: { id } });
      return row ? toApiClient(row) : undefined;
    },
  };
}

function toApiClient(row: ApiClientRow): ApiClientRecord {
  return {
    id: row.id,
    name: row.name,
    keyPrefix: row.keyPrefix,
    keyHash: row.keyHash,
    scopes: row.scopes,
    shopIds: row.shopIds,
    apps: row.apps,
    rateLimitPerMinute: row.rateLimitPerMinute,
    dailyQuota: row.dailyQuota,
    createdAt: row.createdAt,
    revokedAt: row.revokedAt,
  };
}
