import { constantTimeEqual } from '../../shared/secrets.js';
import type { Database } from '../database.js';

export interface OAuthStateRecord {
  id: string;
  connectSessionId: string | null;
  connectionId: string | null;
  /** The TikTok Shop app whose authorize page the state was issued for; null: issued before apps (#13). */
  app: string | null;
  expiresAt: Date;
  consumedAt: Date | null;
}

export interface NewOAuthState {
  stateHash: string;
  browserBindingHash: string;
  connectSessionId: string | null;
  connectionId: string | null;
  app: string;
  expiresAt: Date;
  createdAt: Date;
}

/** Why a state could not be consumed. */
export type StateConsumeFailure = 'unknown' | 'reused' | 'expired' | 'other_browser';

export type StateConsumeResult = { ok: true; state: OAuthStateRecord } | { ok: false; reason: StateConsumeFailure };

export interface OAuthStateStore {
  insert(state: NewOAuthState): Promise<void>;
  /**
   * Consumes an unexpired state atomically, and only for the browser it was issued to: of two
   * concurrent callbacks exactly one gets the row, and a callback from another browser does not burn it.
   */
  consume(stateHash: string, browserBindingHash: string | undefined, at: Date): Promise<StateConsumeResult>;
  /** Deletes states that expired before `before`; returns how many. */
}

interface StateRow {
  id: string;
  connect_session_id: string | null;
  connection_id: string | null;
  app: string | null;
  expires_at: Date;
  consumed_at: Date | null;
}

export function createOAuthStateStore(db: Database): OAuthStateStore {
  const toRecord = (row: StateRow): OAuthStateRecord => ({
    id: row.id,
    connectSessionId: row.connect_session_id,
    connectionId: row.connection_id,
    app: row.app,
    expiresAt: new Date(row.expires_at),
    consumedAt: row.consumed_at === null ? null : new Date(row.consumed_at),
  });
  return {
    async insert(state) {
      await db.prisma.oAuthState.create({ data: state });
    },
    async consume(stateHash, browserBindingHash, at) {
      const [existing] = await db.sql.query<StateRow & { browser_binding_hash: string }>(
        `SELECT id, connect_session_id, connection_id, app, expires_at, consumed_at, browser_binding_hash
           FROM oauth_states WHERE state_hash = $1`,
        [stateHash],
      );
      if (!existing) return { ok: false, reason: 'unknown' };
      if (existing.consumed_at !== null) return { ok: false, reason: 'reused' };
      if (new Date(existing.expires_at).getTime() <= at.getTime()) return { ok: false, reason: 'expired' };
      if (!constantTimeEqual(existing.browser_binding_hash, browserBindingHash ?? '')) return { ok: false, reason: 'other_browser' };
      const [consumed] = await db.sql.query<StateRow>(
        `UPDATE oauth_states SET consumed_at = $2 WHERE id = $1 AND consumed_at IS NULL
          RETURNING id, connect_session_id, connection_id, app, expires_at, consumed_at`,
        [existing.id, at],
      );
      return consumed ? { ok: true, state: toRecord(consumed) } : { ok: false, reason: 'reused' };
    },
  };
}
