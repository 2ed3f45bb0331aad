import type { Sealed } from '../shared/sealed.js';
import { DecryptionFailed, EncryptionKeyUnknown } from '../shared/errors.js';
import { openAccessToken, openRefreshToken, sealTokens, type SealedTokens } from './tokens.js';
import type { Vault } from './vault.js';

/** A row's sealed tokens, as the re-encryption reads and writes them. */
export interface SealedTokenRow extends SealedTokens {
  id: string;
}

/** Where the sealed tokens live; the connection store provides it. */
export interface SealedTokenSource {
  /** Up to `limit` rows with an id greater than `afterId`, in id order. */
  listSealed(afterId: string, limit: number): Promise<SealedTokenRow[]>;
  /** Writes `next` only if the row still holds `expected` (compare-and-set); false otherwise. */
  replaceSealed(id: string, expected: SealedTokens, next: SealedTokens): Promise<boolean>;
}

export interface ReencryptResult {
  /** Rows looked at. */
  scanned: number;
  /** Rows re-sealed with the current key. */
  reencrypted: number;
  /** Rows already sealed with the current key. */
  alreadyCurrent: number;
  /** Rows changed by someone else (a refresh) between read and write; they hold fresh ciphertexts from the current key. */
  changedConcurrently: number;
  /** Rows that could not be opened (unknown key or altered ciphertext); their ids, never their contents. */
  failed: { id: string; reason: 'decryption_failed' | 'encryption_key_unknown' }[];
  currentKeyId: string;
}

/**
 * Re-seals every stored token with the vault's current key (the first of TOKEN_ENCRYPTION_KEYS),
 * in batches, while the service runs. Each row is written with compare-and-set on its old
 * ciphertexts, so a refresh that stored new tokens meanwhile is never overwritten.
 *
 * @example
 * const result = await reencryptTokens(core.vault, core.operator.sealedTokens);
 * // { scanned: 12, reencrypted: 11, alreadyCurrent: 1, changedConcurrently: 0, failed: [], currentKeyId: 'k2' }
 */
export async function reencryptTokens(vault: Vault, source: SealedTokenSource, options: { batchSize?: number } = {}): Promise<ReencryptResult> {
  const batchSize = options.batchSize ?? 100;
  const result: ReencryptResult = { scanned: 0, reencrypted: 0, alreadyCurrent: 0, changedConcurrently: 0, failed: [], currentKeyId: vault.currentKeyId };
  let afterId = '';
  for (;;) {
    const rows = await source.listSealed(afterId, batchSize);
    if (rows.length === 0) return result;
    for (const row of rows) {
      result.scanned += 1;
      if (isCurrent(vault, row.accessTokenSealed) && isCurrent(vault, row.refreshTokenSealed)) {
        result.alreadyCurrent += 1;
        continue;
      }
      let next: SealedTokens;
      try {
        next = sealTokens(vault, row.id, {
          accessToken: openAccessToken(vault, row.id, row.accessTokenSealed),
          refreshToken: openRefreshToken(vault, row.id, row.refreshTokenSealed),
        });
      } catch (error) {
        if (error instanceof DecryptionFailed || error instanceof EncryptionKeyUnknown) {
          result.failed.push({ id: row.id, reason: error.code });
          continue;
        }
        throw error;
      }
      if (await source.replaceSealed(row.id, row, next)) result.reencrypted += 1;
      else result.changedConcurrently += 1;
    }
    afterId = rows[rows.length - 1]!.id;
  }
}

function isCurrent(vault: Vault, sealed: Sealed): boolean {
  return vault.keyIdOf(sealed) === vault.currentKeyId;
}
