import type { Database } from '../database.js';
import type { AuditEvent as AuditEventRow } from '../generated/client.js';
import type { Connection, ConnectionStatus, ProblemRecord, Shop } from '../../connections/model.js';
import { allConnectionFields, allShopFields, mapConnection, mapShop } from './connection-rows.js';
import type { ProblemStore } from './problem-store.js';

/** A connection without its sealed tokens: what an admin may see. */
export type UnsealedConnection = Omit<Connection, 'accessTokenSealed' | 'refreshTokenSealed'>;

/** One connection as the admin console reads it, with its current shops and open problems counted. */
export interface ReviewedConnection {
  connection: UnsealedConnection;
  /** Shops not removed. */
  shopCount: number;
  /** Problems not resolved. */
  openProblemCount: number;
}

export interface AuditEntry {
  id: string;
  occurredAt: Date;
  actorType: string;
  actorId: string | null;
  /** The API client's name when the actor is one (its id otherwise stays in `actorId`). */
  actorName: string | null;
  action: string;
  outcome: string;
  shopId: string | null;
  detail: Record<string, unknown> | null;
}

export interface ReviewQueueCriteria {
  /** Active connections whose refresh token expires at or before this are queued. */
  expiringBefore: Date;
  /** Active connections with at least this many refresh failures in a row are queued. */
  failuresAtLeast: number;
  limit: number;
}

/** The columns the console's list sorts by. */
export const connectionSortKeys = ['created', 'seller', 'status', 'authorization_ends'] as const;
export type ConnectionSortKey = (typeof connectionSortKeys)[number];

export interface ConnectionSearch {
  status?: ConnectionStatus;
  /** One TikTok Shop app's connections (#13). */
  app?: string;
  /** Seller name or merchantRef (substring, any case), shop id or connection id (exact); already trimmed. */
  search?: string;
  /** Default: newest first. */
  sort?: { key: ConnectionSortKey; direction: 'asc' | 'desc' };
  offset: number;
  limit: number;
}

export interface AdminReviewStore {
  /** Needs re-authorization or expired; open problems (unless revoked); active and expiring or failing. Soonest expiry first. */
  queue(criteria: ReviewQueueCriteria): Promise<ReviewedConnection[]>;
  /** Newest first unless sorted otherwise. */
  list(search: ConnectionSearch): Promise<ReviewedConnection[]>;
  /** How many connections the search finds, over every page. */
  count(search: Omit<ConnectionSearch, 'offset' | 'limit' | 'sort'>): Promise<number>;
  get(id: string): Promise<ReviewedConnection | undefined>;
  /** Current shops first, then removed ones; by name. */
  shops(connectionId: string): Promise<Shop[]>;
  /** Open and resolved, most recently seen first. */
  problems(connectionId: string, limit: number): Promise<ProblemRecord[]>;
  /** Newest first. */
  auditHistory(connectionId: string, page: { offset: number; limit: number }): Promise<AuditEntry[]>;
}

const counts = {
  _count: { select: { shops: { where: { removedAt: null } }, problems: { where: { resolvedAt: null } } } },
} as const;

/** The admin console's read side, over Prisma; rows are mapped here and never leave this module. */
export function createAdminReviewStore(db: Pick<Database, 'prisma' | 'sql'>, problems: Pick<ProblemStore, 'listRecent'>): AdminReviewStore {
  const { prisma } = db;
  type Row = Awaited<ReturnType<typeof prisma.connection.findMany<{ include: typeof counts }>>>[number];
  const toReviewed = (row: Row): ReviewedConnection => {
    const { accessTokenSealed: _access, refreshTokenSealed: _refresh, ...connection } = mapConnection(row, allConnectionFields);
    return { connection, shopCount: row._count.shops, openProblemCount: row._count.problems };
  };

  return {
    async queue(criteria) {
      // One indexed branch per reason, each cut at the limit, then merged: at 100,000 connections
      // the single OR query Prisma writes scans them all (about half a second).
      const failures = Math.max(1, Math.trunc(criteria.failuresAtLeast)); // a literal, so the partial index applies
      const ids = await db.sql.query<{ id: string }>(
        `SELECT id FROM (
           (SELECT id, refresh_token_expires_at FROM connections WHERE status IN ('refresh_lost', 'needs_reauth', 'expired')
             ORDER BY refresh_token_expires_at, id LIMIT $2)
           UNION
           (SELECT c.id, c.refresh_token_expires_at FROM problems p JOIN connections c ON c.id = p.connection_id
             WHERE p.resolved_at IS NULL AND c.status <> 'revoked' ORDER BY c.refresh_token_expires_at, c.id LIMIT $2)
           UNION
           (SELECT id, refresh_token_expires_at FROM connections WHERE status = 'active' AND refresh_token_expires_at <= $1
             ORDER BY refresh_token_expires_at, id LIMIT $2)
           UNION
           (SELECT id, refresh_token_expires_at FROM connections WHERE status = 'active' AND refresh_failure_count >= ${failures}
             ORDER BY refresh_token_expires_at, id LIMIT $2)
         ) queued ORDER BY refresh_token_expires_at, id LIMIT $2`,
        [criteria.expiringBefore, criteria.limit],
      );
      if (ids.length === 0) return [];
      const rows = await prisma.connection.findMany({ where: { id: { in: ids.map((row) => row.id) } }, include: counts });
      const byId = new Map(rows.map((row) => [row.id, row]));
      return ids.flatMap((row) => (byId.has(row.id) ? [toReviewed(byId.get(row.id)!)] : []));
    },

    async list(filter) {
      const sort = filter.sort ?? { key: 'created', direction: 'desc' };
      const column = { created: 'createdAt', seller: 'sellerName', status: 'status', authorization_ends: 'refreshTokenExpiresAt' } as const;
      const rows = await prisma.connection.findMany({
        where: searchWhere(filter),
        include: counts,
        orderBy: [{ [column[sort.key]]: sort.direction }, { id: 'asc' }],
        skip: filter.offset,
        take: filter.limit,
      });
      return rows.map(toReviewed);
    },

    count: (filter) => prisma.connection.count({ where: searchWhere(filter) }),

    async get(id) {
      const row = await prisma.connection.findUnique({ where: { id }, include: counts });
      return row ? toReviewed(row) : undefined;
    },

    async shops(connectionId) {
      const rows = await prisma.shop.findMany({
        where: { connectionId },
        orderBy: [{ removedAt: { sort: 'asc', nulls: 'first' } }, { name: 'asc' }],
      });
      return rows.map((row) => mapShop(row, allShopFields));
    },

    problems: (connectionId, limit) => problems.listRecent(connectionId, limit),

    async auditHistory(connectionId, page) {
      const rows = await prisma.auditEvent.findMany({
        where: { connectionId },
        orderBy: [{ occurredAt: 'desc' }, { id: 'desc' }],
        skip: page.offset,
        take: page.limit,
      });
      const clientIds = [...new Set(rows.filter((row) => row.actorType === 'api_client' && row.actorId).map((row) => row.actorId!))];
      const clients = clientIds.length === 0 ? [] : await prisma.apiClient.findMany({ where: { id: { in: clientIds } }, select: { id: true, name: true } });
      const names = new Map(clients.map((client) => [client.id, client.name]));
      return rows.map((row) => toAuditEntry(row, row.actorType === 'api_client' && row.actorId ? (names.get(row.actorId) ?? null) : null));
    },
  };
}


function searchWhere(filter: Pick<ConnectionSearch, 'status' | 'search' | 'app'>) {
  const { search } = filter;
  return {
    ...(filter.status ? { status: filter.status } : {}),
    ...(filter.app ? { app: filter.app } : {}),
    ...(search
      ? {
          OR: [
            { sellerName: { contains: search, mode: 'insensitive' as const } },
            { merchantRef: { contains: search, mode: 'insensitive' as const } },
            { shops: { some: { id: search } } },
            { id: search },
          ],
        }
      : {}),
  };
}

function toAuditEntry(row: AuditEventRow, actorName: string | null): AuditEntry {
  return {
    id: row.id.toString(),
    occurredAt: row.occurredAt,
    actorType: row.actorType,
    actorId: row.actorId,
    actorName,
    action: row.action,
    outcome: row.outcome,
    shopId: row.shopId,
    detail: (row.detail ?? null) as Record<string, unknown> | null,
  };
}
