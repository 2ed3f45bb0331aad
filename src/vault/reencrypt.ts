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

/** A webhook subscription's sealed signing secrets (the one signing now, and the one a rotation replaced). */
export interface SealedSecretRow {
  id: string;
  secret: Sealed;
  /** Still signing until the rotation's overlap ends; null when there is none. */
  previous: Sealed | null;
}

/** Where the webhook signing secrets live; the subscription store provides it. */
export interface SealedSecretSource {
  /** Up to `limit` rows with an id greater than `afterId`, in id order. */
  listSealedSecrets(afterId: string, limit: number): Promise<SealedSecretRow[]>;
  /** Writes `next` only if the row still holds `expected` (compare-and-set: a rotation meanwhile wins); false otherwise. */
  replaceSealedSecrets(id: string, expected: Omit<SealedSecretRow, 'id'>, next: Omit<SealedSecretRow, 'id'>): Promise<boolean>;
}

/**
 * Re-seals every webhook subscription's signing secrets (current and previous) with the vault's
 * current key, in batches, compare-and-set on the old ciphertexts like {@link reencryptTokens}.
 *
 * @example
 * const result = await reencryptWebhookSecrets(core.vault, core.operator.webhookSecrets);
 */
export async function reencryptWebhookSecrets(vault: Vault, source: SealedSecretSource, options: { batchSize?: number } = {}): Promise<ReencryptResult> {
  const batchSize = options.batchSize ?? 100;
  const result: ReencryptResult = { scanned: 0, reencrypted: 0, alreadyCurrent: 0, changedConcurrently: 0, failed: [], currentKeyId: vault.currentKeyId };
  let afterId = '';
  for (;;) {
    const rows = await source.listSealedSecrets(afterId, batchSize);
    if (rows.length === 0) return result;
    for (const row of rows) {
      result.scanned += 1;
      if (isCurrent(vault, row.secret) && (row.previous === null || isCurrent(vault, row.previous))) {
        result.alreadyCurrent += 1;
        continue;
      }
      const context = { rowId: row.id, purpose: 'webhook_secret' } as const;
      let next: Omit<SealedSecretRow, 'id'>;
      try {
        next = {
          secret: vault.seal(vault.open(row.secret, context), context),
          previous: row.previous === null ? null : vault.seal(vault.open(row.previous, context), context),
        };
      } catch (error) {
        if (error instanceof DecryptionFailed || error instanceof EncryptionKeyUnknown) {
          result.failed.push({ id: row.id, reason: error.code });
          continue;
        }
        throw error;
      }
      if (await source.replaceSealedSecrets(row.id, row, next)) result.reencrypted += 1;
      else result.changedConcurrently += 1;
    }
    afterId = rows[rows.length - 1]!.id;
  }
}
