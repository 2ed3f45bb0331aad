import type { Database } from '../db/database.js';
import { toConnection, toShop, type ConnectionRecord, type ConnectionStatus, type ShopRecord } from '../db/stores/connection-records.js';
import type { ProblemRecord } from '../db/stores/problem-store.js';
import type { Clock } from '../shared/clock.js';

/** A connection as the admin lists it: no sealed tokens, only what a person reviews. */
export interface ConnectionSummary {
  id: string;
  sellerName: string;
  merchantRef: string | null;
  status: ConnectionStatus;
  statusReason: string | null;
  shopCount: number;
  openProblemCount: number;
  accessTokenExpiresAt: Date;
  refreshTokenExpiresAt: Date;
  refreshFailureCount: number;
  lastRefreshedAt: Date | null;
  lastRefreshError: string | null;
  /** Why it is in the review queue; empty when it needs no attention. */
  attention: string[];
}

export interface ConnectionFilter {
  status?: ConnectionStatus;
  /** Seller name or merchantRef (substring, any case), shop id or connection id (exact). */
  search?: string;
  page: number;
}

export interface AuditEntry {
  id: string;
  occurredAt: Date;
  actorType: string;
  actorId: string | null;
  action: string;
  outcome: string;
  shopId: string | null;
  detail: Record<string, unknown> | null;
}

export interface ConnectionDetail {
  connection: Omit<ConnectionRecord, 'accessTokenSealed' | 'refreshTokenSealed'>;
  summary: ConnectionSummary;
  shops: ShopRecord[];
  openProblems: ProblemRecord[];
  resolvedProblems: ProblemRecord[];
  audit: { entries: AuditEntry[]; page: number; hasMore: boolean };
}

export interface Review {
  /** Connections that need a person: re-authorization, expiry, open problems, failing refreshes. */
  queue(): Promise<ConnectionSummary[]>;
  list(filter: ConnectionFilter): Promise<{ connections: ConnectionSummary[]; page: number; hasMore: boolean }>;
  detail(id: string, auditPage: number): Promise<ConnectionDetail | undefined>;
}

export const pageSize = 50;
export const auditPageSize = 20;
/** Refresh failures in a row after which a connection is queued for review. */
export const repeatedFailures = 3;
const day = 86_400_000;

/**
 * The admin's read side: listing, review queue and one connection's detail, straight from the
 * tables (rows are mapped here and never leave this module).
 */
export function createReview(deps: { db: Pick<Database, 'prisma'>; clock: Clock }): Review {
  const { prisma } = deps.db;
  const counts = {
    _count: { select: { shops: { where: { removedAt: null } }, problems: { where: { resolvedAt: null } } } },
  } as const;
  type Row = Awaited<ReturnType<typeof prisma.connection.findMany<{ include: typeof counts }>>>[number];
  const summarize = (row: Row): ConnectionSummary => {
    const now = deps.clock.now().getTime();
    const summary: ConnectionSummary = {
      id: row.id,
      sellerName: row.sellerName,
      merchantRef: row.merchantRef,
      status: row.status,
      statusReason: row.statusReason,
      shopCount: row._count.shops,
      openProblemCount: row._count.problems,
      accessTokenExpiresAt: row.accessTokenExpiresAt,
      refreshTokenExpiresAt: row.refreshTokenExpiresAt,
      refreshFailureCount: row.refreshFailureCount,
      lastRefreshedAt: row.lastRefreshedAt,
      lastRefreshError: row.lastRefreshError,
      attention: [],
    };
    if (row.status === 'needs_reauth') summary.attention.push('needs re-authorization');
    if (row.status === 'expired') summary.attention.push('authorization expired');
    if (row._count.problems > 0) summary.attention.push(`${row._count.problems} open problem${row._count.problems === 1 ? '' : 's'}`);
    if (row.status === 'active' && row.refreshTokenExpiresAt.getTime() - now <= 30 * day) summary.attention.push('authorization expires soon');
    if (row.refreshFailureCount >= repeatedFailures) summary.attention.push(`${row.refreshFailureCount} refresh failures in a row`);
    return summary;
  };

  return {
    async queue() {
      const soon = new Date(deps.clock.now().getTime() + 30 * day);
      const rows = await prisma.connection.findMany({
        where: {
          OR: [
            { status: { in: ['needs_reauth', 'expired'] } },
            { status: { notIn: ['revoked'] }, problems: { some: { resolvedAt: null } } },
            { status: 'active', refreshTokenExpiresAt: { lte: soon } },
            { status: 'active', refreshFailureCount: { gte: repeatedFailures } },
          ],
        },
        include: counts,
        orderBy: [{ refreshTokenExpiresAt: 'asc' }, { id: 'asc' }],
        take: pageSize,
      });
      return rows.map(summarize);
    },

    async list(filter) {
      const search = filter.search?.trim();
      const rows = await prisma.connection.findMany({
        where: {
          ...(filter.status ? { status: filter.status } : {}),
          ...(search
            ? {
                OR: [
                  { sellerName: { contains: search, mode: 'insensitive' } },
                  { merchantRef: { contains: search, mode: 'insensitive' } },
                  { shops: { some: { id: search } } },
                  { id: search },
                ],
              }
            : {}),
        },
        include: counts,
        orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
        skip: (filter.page - 1) * pageSize,
        take: pageSize + 1,
      });
      return { connections: rows.slice(0, pageSize).map(summarize), page: filter.page, hasMore: rows.length > pageSize };
    },

    async detail(id, auditPage) {
      const row = await prisma.connection.findUnique({ where: { id }, include: counts });
      if (!row) return undefined;
      const [shops, problems, events] = await Promise.all([
        prisma.shop.findMany({ where: { connectionId: id }, orderBy: [{ removedAt: { sort: 'asc', nulls: 'first' } }, { name: 'asc' }] }),
        prisma.problem.findMany({ where: { connectionId: id }, orderBy: { lastSeenAt: 'desc' }, take: 100 }),
        prisma.auditEvent.findMany({
          where: { connectionId: id },
          orderBy: [{ occurredAt: 'desc' }, { id: 'desc' }],
          skip: (auditPage - 1) * auditPageSize,
          take: auditPageSize + 1,
        }),
      ]);
      const { accessTokenSealed: _access, refreshTokenSealed: _refresh, ...connection } = toConnection(row);
      const mapped = problems.map(
        (problem): ProblemRecord => ({
          id: problem.id,
          connectionId: problem.connectionId,
          kind: problem.kind as ProblemRecord['kind'],
          apiPath: problem.apiPath,
          scopeKeys: problem.scopeKeys,
          tiktokCode: problem.tiktokCode,
          tiktokMessage: problem.tiktokMessage,
          occurrences: problem.occurrences,
          firstSeenAt: problem.firstSeenAt,
          lastSeenAt: problem.lastSeenAt,
          resolvedAt: problem.resolvedAt,
          resolution: problem.resolution,
        }),
      );
      return {
        connection,
        summary: summarize(row),
        shops: shops.map(toShop),
        openProblems: mapped.filter((problem) => problem.resolvedAt === null),
        resolvedProblems: mapped.filter((problem) => problem.resolvedAt !== null),
        audit: {
          page: auditPage,
          hasMore: events.length > auditPageSize,
          entries: events.slice(0, auditPageSize).map((event) => ({
            id: event.id.toString(),
            occurredAt: event.occurredAt,
            actorType: event.actorType,
            actorId: event.actorId,
            action: event.action,
            outcome: event.outcome,
            shopId: event.shopId,
            detail: (event.detail ?? null) as Record<string, unknown> | null,
          })),
        },
      };
    },
  };
}
