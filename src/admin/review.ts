import type { AdminReviewStore, AuditEntry, ConnectionSearch, ReviewedConnection, UnsealedConnection } from '../db/stores/admin-review-store.js';

export { connectionSortKeys, type ConnectionSortKey } from '../db/stores/admin-review-store.js';
import type { ConnectionStatus, Shop } from '../connections/model.js';
import type { ProblemRecord } from '../connections/model.js';
import type { Clock } from '../shared/clock.js';

/** A connection as the admin lists it: no sealed tokens, only what a person reviews. */
export interface ConnectionSummary {
  id: string;
  /** The TikTok Shop app the seller authorized (#13). */
  app: string;
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
  /** When the connection was first made. */
  createdAt: Date;
  /** Why it is in the review queue; empty when it needs no attention. */
  attention: string[];
}

export interface ConnectionFilter {
  status?: ConnectionStatus;
  app?: string;
  /** Seller name or merchantRef (substring, any case), shop id or connection id (exact). */
  search?: string;
  sort?: ConnectionSearch['sort'];
  page: number;
}

export type { AuditEntry };

export interface ConnectionDetail {
  connection: UnsealedConnection;
  summary: ConnectionSummary;
  shops: Shop[];
  openProblems: ProblemRecord[];
  resolvedProblems: ProblemRecord[];
  audit: { entries: AuditEntry[]; page: number; hasMore: boolean };
}

export interface Review {
  /** Connections that need a person: re-authorization, expiry, open problems, failing refreshes. */
  queue(limit?: number): Promise<ConnectionSummary[]>;
  list(filter: ConnectionFilter): Promise<{ connections: ConnectionSummary[]; page: number; hasMore: boolean; total: number }>;
  detail(id: string, auditPage: number): Promise<ConnectionDetail | undefined>;
}

export const pageSize = 50;
export const auditPageSize = 20;
/** Refresh failures in a row after which a connection is queued for review. */
export const repeatedFailures = 3;
const day = 86_400_000;

/**
 * The admin's read side: listing, review queue and one connection's detail. What needs attention
 * is decided here; the store only reads.
 */
export function createReview(deps: { store: AdminReviewStore; clock: Clock }): Review {
  const { store } = deps;
  const summarize = ({ connection: row, shopCount, openProblemCount }: ReviewedConnection): ConnectionSummary => {
    const now = deps.clock.now().getTime();
    const summary: ConnectionSummary = {
      id: row.id,
      app: row.app,
      sellerName: row.sellerName,
      merchantRef: row.merchantRef,
      status: row.status,
      statusReason: row.statusReason,
      shopCount,
      openProblemCount,
      accessTokenExpiresAt: row.accessTokenExpiresAt,
      refreshTokenExpiresAt: row.refreshTokenExpiresAt,
      refreshFailureCount: row.refreshFailureCount,
      lastRefreshedAt: row.lastRefreshedAt,
      lastRefreshError: row.lastRefreshError,
      createdAt: row.createdAt,
      attention: [],
    };
    if (row.status === 'needs_reauth') summary.attention.push('needs re-authorization');
    if (row.status === 'refresh_lost') summary.attention.push('refresh token lost: re-authorize before the access token expires');
    if (row.status === 'expired') summary.attention.push('authorization expired');
    if (openProblemCount > 0) summary.attention.push(`${openProblemCount} open problem${openProblemCount === 1 ? '' : 's'}`);
    if (row.status === 'active' && row.refreshTokenExpiresAt.getTime() - now <= 30 * day) summary.attention.push('authorization expires soon');
    if (row.refreshFailureCount >= repeatedFailures) summary.attention.push(`${row.refreshFailureCount} refresh failures in a row`);
    return summary;
  };

  return {
    async queue(limit = pageSize) {
      const expiringBefore = new Date(deps.clock.now().getTime() + 30 * day);
      const rows = await store.queue({ expiringBefore, failuresAtLeast: repeatedFailures, limit });
      return rows.map(summarize);
    },

    async list(filter) {
      const search = filter.search?.trim();
      const where = { ...(filter.status ? { status: filter.status } : {}), ...(filter.app ? { app: filter.app } : {}), ...(search ? { search } : {}) };
      const [rows, total] = await Promise.all([
        store.list({ ...where, ...(filter.sort ? { sort: filter.sort } : {}), offset: (filter.page - 1) * pageSize, limit: pageSize + 1 }),
        store.count(where),
      ]);
      return { connections: rows.slice(0, pageSize).map(summarize), page: filter.page, hasMore: rows.length > pageSize, total };
    },

    async detail(id, auditPage) {
      const row = await store.get(id);
      if (!row) return undefined;
      const [shops, problems, events] = await Promise.all([
        store.shops(id),
        store.problems(id, 100),
        store.auditHistory(id, { offset: (auditPage - 1) * auditPageSize, limit: auditPageSize + 1 }),
      ]);
      return {
        connection: row.connection,
        summary: summarize(row),
        shops,
        openProblems: problems.filter((problem) => problem.resolvedAt === null),
        resolvedProblems: problems.filter((problem) => problem.resolvedAt !== null),
        audit: { page: auditPage, hasMore: events.length > auditPageSize, entries: events.slice(0, auditPageSize) },
      };
    },
  };
}
