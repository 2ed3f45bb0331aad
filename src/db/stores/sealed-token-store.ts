import type { Sealed } from '../../shared/sealed.js';
import type { SqlRunner } from '../sql.js';
import type { SealedTokenColumns } from './authorization-store.js';

/** One row's sealed secrets, for re-encryption. */
export interface SealedRow extends SealedTokenColumns {
  id: string;
}

/** Every row's sealed tokens, for re-encryption with a new key. */
export interface SealedTokenStore {
  /** Up to `limit` rows with an id greater than `afterId`, in id order. */
  listSealed(afterId: string, limit: number): Promise<SealedRow[]>;
  /**
   * Replaces a row's sealed tokens only if both ciphertexts are still `expected` (compare-and-set),
   * so a refresh that wrote new tokens meanwhile is never overwritten. Does not bump `token_version`:
   * the tokens are the same, only their encryption changed.
   */
  replaceSealed(id: string, expected: SealedTokenColumns, next: SealedTokenColumns): Promise<boolean>;
}

export function createSealedTokenStore(sql: SqlRunner): SealedTokenStore {
  return {
    async listSealed(afterId, limit) {
      const rows = await sql.query<{ id: string; access_token_sealed: string; refresh_token_sealed: string; encryption_key_id: string }>(
        `SELECT id, access_token_sealed, refresh_token_sealed, encryption_key_id FROM connections
          WHERE id > $1 ORDER BY id LIMIT $2`,
        [afterId, limit],
      );
      return rows.map((row) => ({
        id: row.id,
        accessTokenSealed: row.access_token_sealed as Sealed,
        refreshTokenSealed: row.refresh_token_sealed as Sealed,
        encryptionKeyId: row.encryption_key_id,
      }));
    },
    async replaceSealed(id, expected, next) {
      const rows = await sql.query(
        `UPDATE connections SET access_token_sealed = $4, refresh_token_sealed = $5, encryption_key_id = $6
          WHERE id = $1 AND access_token_sealed = $2 AND refresh_token_sealed = $3 RETURNING id`,
        [id, expected.accessTokenSealed, expected.refreshTokenSealed, next.accessTokenSealed, next.refreshTokenSealed, next.encryptionKeyId],
      );
      return rows.length === 1;
    },
  };
}
