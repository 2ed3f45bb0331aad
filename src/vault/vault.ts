import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { DecryptionFailed } from '../shared/errors.js';
import { createSecondSight } from '../shared/second-sight.js';
import type { Sealed } from '../shared/sealed.js';
import type { KeyRing } from './key-ring.js';

export type { Sealed } from '../shared/sealed.js';

/** What a sealed value is bound to: the row it belongs to and what it is. */
export interface SealContext {
  rowId: string;
  purpose: 'access_token' | 'refresh_token' | 'webhook_secret';
}

export interface Vault {
  /** The key id new ciphertexts use. */
  readonly currentKeyId: string;
  seal(plaintext: string, context: SealContext): Sealed;
  /** Throws DecryptionFailed when the ciphertext was altered or moved to another row or purpose. */
  open(sealed: Sealed, context: SealContext): string;
  keyIdOf(sealed: Sealed): string;
}

/**
 * AES-256-GCM with a fresh 96-bit IV per value. The additional authenticated data binds each
 * ciphertext to its row id, purpose and key id, so a ciphertext copied to another row fails to open.
 *
 * `open` keeps the `openedCacheSize` (default 10,000) values it decrypted most recently read, by ciphertext and
 * context, so that the token path does not decrypt the same token on every read (8–20 µs each,
 * issue #12). A value is kept from its second recent read on ({@link createSecondSight}): reads spread over
 * more tokens than the cache holds pass through it instead of churning it. A ciphertext altered or moved to
 * another row or purpose is never in that cache and is decrypted (and refused) as before. The plaintexts it
 * holds add nothing to what a reader of this process's memory gets: the key ring that opens every row is there
 * too. `openedCacheSize: 0` turns it off.
 *
 * @example
 * const vault = createVault(parseKeyRing(process.env.TOKEN_ENCRYPTION_KEYS!));
 * const sealed = vault.seal(accessToken, { rowId: connection.id, purpose: 'access_token' });
 * vault.open(sealed, { rowId: connection.id, purpose: 'access_token' }) === accessToken;
 */
export function createVault(ring: KeyRing, options: { openedCacheSize?: number } = {}): Vault {
  const aad = (context: SealContext, keyId: string) => Buffer.from(`tsc.v1|${context.purpose}|${context.rowId}|${keyId}`, 'utf8');
  const capacity = options.openedCacheSize ?? 10_000;
  /**
   * Opened values by ciphertext, with the context they were opened in, least recently read evicted
   * first. Keyed by the ciphertext alone, so that a read allocates no key (issue #12). An LRU whose
   * eviction is O(1): a Map's oldest key found with `keys().next()` is a scan over every deleted
   * entry before it, about 10 µs an eviction at 10,000 entries, which is what a read spread over more
   * shops than the cache holds paid on every miss (more than the decryption it spared).
   */
  const opened = capacity > 0 ? new LRUCache<Sealed, { rowId: string; purpose: SealContext['purpose']; plaintext: string }>({ max: capacity }) : undefined;
  const openedBefore = createSecondSight(capacity);
  const decrypt = (sealed: Sealed, context: SealContext): string => {
    const parts = sealed.split('.');
    if (parts.length !== 5 || parts[0] !== 'v1') throw new DecryptionFailed('A stored secret has an unknown format.');
    const [, keyId, iv, ciphertext, tag] = parts as [string, string, string, string, string];
    const { key } = ring.get(keyId);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(aad(context, keyId));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
    } catch (error) {
      throw new DecryptionFailed('A stored secret could not be decrypted (altered, or not sealed for this row).', { cause: error });
    }
  };
  return {
    currentKeyId: ring.current.id,
    seal(plaintext, context) {
      const { id, key } = ring.current;
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(aad(context, id));
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return ['v1', id, iv.toString('base64url'), ciphertext.toString('base64url'), tag.toString('base64url')].join('.') as Sealed;
    },
    open(sealed, context) {
      if (!opened) return decrypt(sealed, context);
      // A hit counts only in the context it was opened in: the same ciphertext under another row or purpose is decrypted, and refused.
      const hit = opened.get(sealed);
      if (hit !== undefined && hit.rowId === context.rowId && hit.purpose === context.purpose) return hit.plaintext;
      const plaintext = decrypt(sealed, context);
      if (openedBefore.seenBefore(sealed)) opened.set(sealed, { rowId: context.rowId, purpose: context.purpose, plaintext });
      return plaintext;
    },
    keyIdOf(sealed) {
      return sealed.split('.')[1] ?? '';
    },
  };
}
