import { EncryptionKeyUnknown } from '../shared/errors.js';

export interface EncryptionKey {
  id: string;
  key: Buffer;
}

/** The keys from TOKEN_ENCRYPTION_KEYS: the first encrypts new data, every key decrypts. */
export interface KeyRing {
  current: EncryptionKey;
  get(id: string): EncryptionKey;
  ids: string[];
}

export class KeyRingInvalid extends Error {
  override readonly name = 'KeyRingInvalid';
}

/**
 * Parses `keyId:base64Key,keyId:base64Key` (32-byte keys).
 *
 * @example
 * const ring = parseKeyRing('k2:' + newKey + ',k1:' + oldKey); // encrypts with k2, decrypts both
 */
export function parseKeyRing(value: string): KeyRing {
  const keys = value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)
    .map((item): EncryptionKey => {
      const separator = item.indexOf(':');
      const id = item.slice(0, separator);
      if (separator < 1 || !/^[A-Za-z0-9_-]{1,32}$/.test(id)) {
        throw new KeyRingInvalid('TOKEN_ENCRYPTION_KEYS: each entry must be keyId:base64Key, with a key id of letters, digits, - or _');
      }
      const key = Buffer.from(item.slice(separator + 1), 'base64');
      if (key.length !== 32) throw new KeyRingInvalid(`TOKEN_ENCRYPTION_KEYS: key "${id}" must be 32 bytes, base64-encoded (it is ${key.length})`);
      return { id, key };
    });
  if (keys.length === 0) throw new KeyRingInvalid('TOKEN_ENCRYPTION_KEYS: at least one keyId:base64Key is required');
  const byId = new Map(keys.map((key) => [key.id, key]));
  if (byId.size !== keys.length) throw new KeyRingInvalid('TOKEN_ENCRYPTION_KEYS: key ids must be unique');
  return {
    current: keys[0]!,
    ids: keys.map((key) => key.id),
    get(id) {
      const key = byId.get(id);
      if (!key) throw new EncryptionKeyUnknown(id);
      return key;
    },
  };
}
