import type { Database } from '../database.js';

/**
 * Admin sessions ended before their expiry (signed out), shared by every replica. The retention worker
 * (db/retention.ts) forgets each revocation once the session it ended has expired anyway.
 */
export interface AdminSessionRevocations {
  revoke(sessionId: string, expiresAt: Date): Promise<void>;
  isRevoked(sessionId: string): Promise<boolean>;
}

export function createAdminSessionStore(db: Pick<Database, 'sql'>): AdminSessionRevocations {
  return {
    async revoke(sessionId, expiresAt) {
      await db.sql.query(
        'INSERT INTO admin_session_revocations (session_id, expires_at) VALUES ($1, $2) ON CONFLICT (session_id) DO NOTHING',
        [sessionId, expiresAt],
      );
    },
    async isRevoked(sessionId) {
      const rows = await db.sql.query('SELECT 1 FROM admin_session_revocations WHERE session_id = $1', [sessionId]);
      return rows.length > 0;
    },
  };
}
