import type { ProblemStore, ScopeMissingInput } from '../db/stores/problem-store.js';
import type { ProblemRecord } from './model.js';
import type { Clock } from '../shared/clock.js';
import type { Lifecycle } from './lifecycle/index.js';

export type { ProblemRecord } from './model.js';

/**
 * Problems a person must fix on a connection. Today one kind: `scope_missing` (TikTok 105005), one
 * open problem per connection and API path. Paths are stored as templates ({@link apiPathTemplate}),
 * so calls for different resource ids count on one problem.
 *
 * How problems close:
 * - a later successful call to the same path (template): `resolve`;
 * - a re-authorization: `resolveGranted` closes those one of whose scopes is now granted, and those
 *   that name no scope (TikTok did not say which, and the scope table does not know the path): a
 *   fresh grant supersedes them, and if TikTok still refuses, the next call opens the problem again;
 * - a successful token refresh: `resolveAfterRefresh` closes those one of whose scopes the refresh
 *   newly granted, and those recorded by refreshing (the refresh path), which the success disproves.
 *   A scope the grant already held does not close a problem: TikTok refused a call despite it.
 */
export interface Problems {
  /**
   * Records that TikTok refused `apiPath` for lack of a scope: opens a problem, or bumps
   * `occurrences` and `lastSeenAt` of the open one for that path.
   *
   * @example
   * await problems.recordScopeMissing({ connectionId, apiPath: '/finance/202309/statements',
   *   scopeKeys: ['seller.finance.info'], tiktokCode: 105005, tiktokMessage: 'Access denied' });
   */
  recordScopeMissing(input: { connectionId: string; apiPath: string; scopeKeys: string[]; tiktokCode?: number | null; tiktokMessage?: string | null }): Promise<ProblemRecord>;
  /** The open problems of a connection, oldest first. */
  listOpen(connectionId: string): Promise<ProblemRecord[]>;
  /** Resolves the open problem of `apiPath` (e.g. resolution `call_succeeded`); false when none was open. */
  resolve(connectionId: string, apiPath: string, resolution: string): Promise<boolean>;
  /**
   * After a (re-)authorization: resolves every open scope problem one of whose scopes is now granted
   * (`scope_granted`), and those that name no scope (`reauthorized`); returns how many.
   */
  resolveGranted(connectionId: string, grantedScopes: readonly string[]): Promise<number>;
  /**
   * After a successful token refresh: resolves the open scope problems one of whose scopes the
   * refresh newly granted (`scope_granted`) and those recorded on `refreshPath` (`refresh_succeeded`);
   * returns how many.
   */
  resolveAfterRefresh(connectionId: string, input: { newlyGranted: readonly string[]; refreshPath: string }): Promise<number>;
}

/** A version segment of TikTok's paths (`/order/202309/orders`): part of the endpoint, never an id. */
const versionSegment = /^\d{6}$/;

/** A numeric id, a UUID, or a long token mixing letters and digits (hex ids, ciphers). */
function isIdLike(segment: string): boolean {
  return (
    /^\d+$/.test(segment) ||
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(segment) ||
    (segment.length >= 16 && /\d/.test(segment) && /[A-Za-z]/.test(segment))
  );
}

/**
 * The path as an endpoint template: id-like segments become `{id}`, so that
 * `/product/202309/products/1729382476852921560` and `…/products/1729382476852921561` are one
 * problem. Templates from the scope table (`…/products/{product_id}`) come through unchanged.
 *
 * @example
 * apiPathTemplate('/product/202309/products/1729382476852921560/inventory') // '/product/202309/products/{id}/inventory'
 */
export function apiPathTemplate(apiPath: string): string {
  return apiPath
    .split('/')
    .map((segment, index) => (index === 2 && versionSegment.test(segment)) || !isIdLike(segment) ? segment : '{id}')
    .join('/');
}

/** What one problem change writes in one transaction: the problem, and the event that announces it. */
export interface ProblemUnit {
  store: Pick<ProblemStore, 'upsertScopeMissing' | 'resolve'>;
  lifecycle: Pick<Lifecycle, 'announce'>;
}

/**
 * Subscribers hear of each change through the outbox, in the transaction of the change: a problem that
 * opens sends `connection.scope_problem` (once: a refused call that bumps an open problem sends
 * nothing), each problem resolved sends `connection.problem_resolved`.
 */
export function createProblems(options: {
  store: ProblemStore;
  clock: Clock;
  /** Runs `work` in one transaction with the problem and lifecycle stores bound to it. */
  inTransaction<T>(work: (unit: ProblemUnit) => Promise<T>): Promise<T>;
}): Problems {
  const { store, clock, inTransaction } = options;

  /** Resolves the problems and announces each one this call resolved. */
  const resolveAnnounced = (ids: string[], resolution: string, at: Date): Promise<number> =>
    ids.length === 0
      ? Promise.resolve(0)
      : inTransaction(async (unit) => {
          const resolved = await unit.store.resolve(ids, resolution, at);
          for (const problem of resolved) {
            await unit.lifecycle.announce(problem.connectionId, 'connection.problem_resolved', {
              problemId: problem.id, kind: problem.kind, apiPath: problem.apiPath, scopeKeys: problem.scopeKeys,
              resolution, occurredAt: at.toISOString(),
            });
          }
          return resolved.length;
        });

  return {
    recordScopeMissing(input) {
      const record: ScopeMissingInput = {
        connectionId: input.connectionId,
        apiPath: apiPathTemplate(input.apiPath),
        scopeKeys: [...input.scopeKeys],
        tiktokCode: input.tiktokCode ?? null,
        tiktokMessage: input.tiktokMessage ?? null,
      };
      const now = clock.now();
      return inTransaction(async (unit) => {
        const problem = await unit.store.upsertScopeMissing(record, now);
        // One occurrence: this statement opened it (bumping an open one counts on from there).
        if (problem.occurrences === 1) {
          await unit.lifecycle.announce(problem.connectionId, 'connection.scope_problem', {
            problemId: problem.id, kind: problem.kind, apiPath: problem.apiPath, scopeKeys: problem.scopeKeys,
            tiktokCode: problem.tiktokCode, tiktokMessage: problem.tiktokMessage, occurredAt: now.toISOString(),
          });
        }
        return problem;
      });
    },
    listOpen: (connectionId) => store.listOpen(connectionId),
    async resolve(connectionId, apiPath, resolution) {
      const template = apiPathTemplate(apiPath);
      const open = (await store.listOpen(connectionId)).filter((problem) => problem.apiPath === template);
      return (await resolveAnnounced(open.map((problem) => problem.id), resolution, clock.now())) > 0;
    },
    resolveGranted: (connectionId, grantedScopes) =>
      resolveWhere(connectionId, grantedScopes, { resolution: 'reauthorized', also: (problem) => problem.scopeKeys.length === 0 }),
    resolveAfterRefresh: (connectionId, { newlyGranted, refreshPath }) =>
      resolveWhere(connectionId, newlyGranted, { resolution: 'refresh_succeeded', also: (problem) => problem.apiPath === refreshPath }),
  };

  /** Resolves open scope problems with a granted scope (`scope_granted`), then those `also` picks (`resolution`). */
  async function resolveWhere(
    connectionId: string,
    grantedScopes: readonly string[],
    other: { resolution: string; also: (problem: ProblemRecord) => boolean },
  ): Promise<number> {
    const granted = new Set(grantedScopes);
    const open = (await store.listOpen(connectionId)).filter((problem) => problem.kind === 'scope_missing');
    const fixed = open.filter((problem) => problem.scopeKeys.some((key) => granted.has(key)));
    const superseded = open.filter((problem) => !fixed.includes(problem) && other.also(problem));
    const now = clock.now();
    return (await resolveAnnounced(fixed.map((problem) => problem.id), 'scope_granted', now)) +
      (await resolveAnnounced(superseded.map((problem) => problem.id), other.resolution, now));
  }
}
