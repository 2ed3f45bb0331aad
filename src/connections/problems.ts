import type { ProblemRecord, ProblemStore, ScopeMissingInput } from '../db/stores/problem-store.js';
import type { Clock } from '../shared/clock.js';

export type { ProblemRecord } from '../db/stores/problem-store.js';

/**
 * Problems a person must fix on a connection. Today one kind: `scope_missing` (TikTok 105005), one
 * open problem per connection and API path.
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
  /** Resolves every open scope problem one of whose scopes is now granted; returns how many. */
  resolveGranted(connectionId: string, grantedScopes: readonly string[]): Promise<number>;
}

export function createProblems(options: { store: ProblemStore; clock: Clock }): Problems {
  const { store, clock } = options;
  return {
    recordScopeMissing(input) {
      const record: ScopeMissingInput = {
        connectionId: input.connectionId,
        apiPath: input.apiPath,
        scopeKeys: [...input.scopeKeys],
        tiktokCode: input.tiktokCode ?? null,
        tiktokMessage: input.tiktokMessage ?? null,
      };
      return store.upsertScopeMissing(record, clock.now());
    },
    listOpen: (connectionId) => store.listOpen(connectionId),
    async resolve(connectionId, apiPath, resolution) {
      const open = (await store.listOpen(connectionId)).filter((problem) => problem.apiPath === apiPath);
      return (await store.resolve(open.map((problem) => problem.id), resolution, clock.now())) > 0;
    },
    async resolveGranted(connectionId, grantedScopes) {
      const granted = new Set(grantedScopes);
      const fixed = (await store.listOpen(connectionId)).filter(
        (problem) => problem.kind === 'scope_missing' && problem.scopeKeys.some((key) => granted.has(key)),
      );
      return store.resolve(fixed.map((problem) => problem.id), 'scope_granted', clock.now());
    },
  };
}
