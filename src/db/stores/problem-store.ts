import { randomUUID } from 'node:crypto';
import type { ProblemKind, ProblemRecord } from '../../connections/model.js';
import type { SqlRunner } from '../sql.js';

export interface ScopeMissingInput {
  connectionId: string;
  apiPath: string;
  scopeKeys: string[];
  tiktokCode: number | null;
  tiktokMessage: string | null;
}

export interface ProblemStore {
  /** Opens the problem, or bumps `occurrences` and `last_seen_at` of the open one for this path. */
  upsertScopeMissing(input: ScopeMissingInput, at: Date): Promise<ProblemRecord>;
  listOpen(connectionId: string): Promise<ProblemRecord[]>;
  /** Open and resolved problems, most recently seen first. */
  listRecent(connectionId: string, limit: number): Promise<ProblemRecord[]>;
  /** Resolves the open problems whose ids are given; returns those it resolved (not those resolved before). */
  resolve(ids: string[], resolution: string, at: Date): Promise<ProblemRecord[]>;
}

interface ProblemRow {
  id: string;
  connection_id: string;
  kind: string;
  api_path: string;
  scope_keys: string[];
  tiktok_code: number | null;
  tiktok_message: string | null;
  occurrences: number;
  first_seen_at: Date;
  last_seen_at: Date;
  resolved_at: Date | null;
  resolution: string | null;
}

const columns = `id, connection_id, kind, api_path, scope_keys, tiktok_code, tiktok_message, occurrences,
  first_seen_at, last_seen_at, resolved_at, resolution`;

/** The key that keeps at most one open problem of a kind per connection and API path. */
export function problemOpenKey(connectionId: string, kind: ProblemKind, apiPath: string): string {
  return `${connectionId}:${kind}:${apiPath}`;
}

export function createProblemStore(db: { sql: SqlRunner }): ProblemStore {
  return {
    async upsertScopeMissing(input, at) {
      const [row] = await db.sql.query<ProblemRow>(
        `INSERT INTO problems (id, connection_id, kind, api_path, scope_keys, tiktok_code, tiktok_message,
                               occurrences, first_seen_at, last_seen_at, open_key)
         VALUES ($1, $2, 'scope_missing', $3, $4, $5, $6, 1, $7, $7, $8)
         ON CONFLICT (open_key) DO UPDATE SET
           occurrences = problems.occurrences + 1,
           last_seen_at = EXCLUDED.last_seen_at,
           scope_keys = EXCLUDED.scope_keys,
           tiktok_code = EXCLUDED.tiktok_code,
           tiktok_message = EXCLUDED.tiktok_message
         RETURNING ${columns}`,
        [
          randomUUID(),
          input.connectionId,
          input.apiPath,
          input.scopeKeys,
          input.tiktokCode,
          input.tiktokMessage,
          at,
          problemOpenKey(input.connectionId, 'scope_missing', input.apiPath),
        ],
      );
      return toProblem(row!);
    },
    async listOpen(connectionId) {
      const rows = await db.sql.query<ProblemRow>(
        `SELECT ${columns} FROM problems WHERE connection_id = $1 AND resolved_at IS NULL ORDER BY first_seen_at, id`,
        [connectionId],
      );
      return rows.map(toProblem);
    },
    async listRecent(connectionId, limit) {
      const rows = await db.sql.query<ProblemRow>(
        `SELECT ${columns} FROM problems WHERE connection_id = $1 ORDER BY last_seen_at DESC, id LIMIT $2`,
        [connectionId, limit],
      );
      return rows.map(toProblem);
    },
    async resolve(ids, resolution, at) {
      if (ids.length === 0) return [];
      const rows = await db.sql.query<ProblemRow>(
        `UPDATE problems SET resolved_at = $2, resolution = $3, open_key = NULL
          WHERE id = ANY($1::text[]) AND resolved_at IS NULL RETURNING ${columns}`,
        [ids, at, resolution],
      );
      return rows.map(toProblem);
    },
  };
}

function toProblem(row: ProblemRow): ProblemRecord {
  return {
    id: row.id,
    connectionId: row.connection_id,
    kind: row.kind as ProblemKind,
    apiPath: row.api_path,
    scopeKeys: [...(row.scope_keys ?? [])],
    tiktokCode: row.tiktok_code,
    tiktokMessage: row.tiktok_message,
    occurrences: row.occurrences,
    firstSeenAt: new Date(row.first_seen_at),
    lastSeenAt: new Date(row.last_seen_at),
    resolvedAt: row.resolved_at === null ? null : new Date(row.resolved_at),
    resolution: row.resolution,
  };
}
