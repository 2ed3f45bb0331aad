import { randomBytes } from 'node:crypto';
import { sha256Hex } from '../shared/secrets.js';

/**
 * API keys look like `tsc_<prefix>_<secret>`: `prefix` (12 hex characters) is stored in the clear
 * to find the client by an indexed lookup and to recognise a key in lists; `secret` carries 256
 * random bits. Only the SHA-256 of the whole key is stored.
 */
export const apiKeyPattern = /^tsc_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

export interface IssuedKey {
  key: string;
  prefix: string;
  hash: string;
}

export function issueApiKey(): IssuedKey {
  const prefix = randomBytes(6).toString('hex');
  const key = `tsc_${prefix}_${randomBytes(32).toString('base64url')}`;
  return { key, prefix, hash: hashApiKey(key) };
}

export function hashApiKey(key: string): string {
  return sha256Hex(key);
}

/** The prefix of a well-formed key, or `undefined`. */
export function apiKeyPrefix(key: string): string | undefined {
  return apiKeyPattern.exec(key)?.[1];
}

/** How a key is shown once issued: enough to recognise it, nothing to use (Unleash `mask()`). */
export function maskApiKey(prefix: string): string {
  return `tsc_${prefix}_${'*'.repeat(8)}`;
}
