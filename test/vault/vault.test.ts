import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DecryptionFailed, EncryptionKeyUnknown } from '../../src/shared/errors.js';
import { parseKeyRing } from '../../src/vault/key-ring.js';
import { openAccessToken, openRefreshToken, sealTokens } from '../../src/vault/tokens.js';
import { createVault } from '../../src/vault/vault.js';

const key = () => randomBytes(32).toString('base64');

describe('vault', () => {
  const ring = parseKeyRing(`k2:${key()},k1:${key()}`);
  const vault = createVault(ring);
  const tokens = { accessToken: 'ROW_access_secret', refreshToken: 'ROW_refresh_secret' };

  it('seals with the first key and opens what it sealed', () => {
    const sealed = sealTokens(vault, 'conn-1', tokens);
    expect(sealed.encryptionKeyId).toBe('k2');
    expect(sealed.accessTokenSealed.startsWith('v1.k2.')).toBe(true);
    expect(sealed.accessTokenSealed).not.toContain('access_secret');
    expect(openAccessToken(vault, 'conn-1', sealed.accessTokenSealed)).toBe(tokens.accessToken);
    expect(openRefreshToken(vault, 'conn-1', sealed.refreshTokenSealed)).toBe(tokens.refreshToken);
  });

  it('uses a fresh IV each time, so equal tokens never look equal at rest', () => {
    expect(sealTokens(vault, 'c', tokens).accessTokenSealed).not.toBe(sealTokens(vault, 'c', tokens).accessTokenSealed);
  });

  it('refuses a ciphertext moved to another row', () => {
    const sealed = sealTokens(vault, 'conn-1', tokens);
    expect(() => openAccessToken(vault, 'conn-2', sealed.accessTokenSealed)).toThrow(DecryptionFailed);
  });

  it('refuses an access token ciphertext presented as a refresh token', () => {
    const sealed = sealTokens(vault, 'conn-1', tokens);
    expect(() => openRefreshToken(vault, 'conn-1', sealed.accessTokenSealed)).toThrow(
      'A stored secret could not be decrypted (altered, or not sealed for this row).',
    );
  });

  it('refuses an altered ciphertext', () => {
    const sealed = sealTokens(vault, 'conn-1', tokens).accessTokenSealed;
    const parts = sealed.split('.');
    parts[3] = Buffer.from('x' + Buffer.from(parts[3]!, 'base64url').toString('latin1').slice(1), 'latin1').toString('base64url');
    expect(() => openAccessToken(vault, 'conn-1', parts.join('.') as typeof sealed)).toThrow(DecryptionFailed);
  });

  it('opens values sealed under an older key still in the ring, and names an unknown key', () => {
    const old = createVault(parseKeyRing(`k1:${ring.get('k1').key.toString('base64')}`));
    const sealed = sealTokens(old, 'conn-1', tokens);
    expect(openAccessToken(vault, 'conn-1', sealed.accessTokenSealed)).toBe(tokens.accessToken);
    const stranger = createVault(parseKeyRing(`k9:${key()}`));
    expect(() => openAccessToken(vault, 'conn-1', sealTokens(stranger, 'conn-1', tokens).accessTokenSealed)).toThrow(EncryptionKeyUnknown);
  });

  describe('with values it opened before (issue #12: opened values are kept, not decrypted on every read)', () => {
    it('still refuses the same ciphertext moved to another row, or presented as another purpose', () => {
      const sealed = sealTokens(vault, 'conn-cached', tokens);
      expect(openAccessToken(vault, 'conn-cached', sealed.accessTokenSealed)).toBe(tokens.accessToken);
      expect(openAccessToken(vault, 'conn-cached', sealed.accessTokenSealed)).toBe(tokens.accessToken);
      expect(() => openAccessToken(vault, 'conn-other', sealed.accessTokenSealed)).toThrow(DecryptionFailed);
      expect(() => openRefreshToken(vault, 'conn-cached', sealed.accessTokenSealed)).toThrow(DecryptionFailed);
      expect(openAccessToken(vault, 'conn-cached', sealed.accessTokenSealed)).toBe(tokens.accessToken);
    });

    it('keeps a value from its second read on: read once, it is decrypted again next time', () => {
      // The key ring is asked for the key only when a value is decrypted: its lookups count decryptions.
      let decryptions = 0;
      const watched = createVault({ ...ring, get: (id: string) => (decryptions++, ring.get(id)) }, { openedCacheSize: 2 });
      const sealed = sealTokens(vault, 'a', tokens).accessTokenSealed;
      const read = () => watched.open(sealed, { rowId: 'a', purpose: 'access_token' });
      read();
      expect(decryptions).toBe(1);
      read();
      expect(decryptions).toBe(2);
      expect(read()).toBe(tokens.accessToken);
      expect(read()).toBe(tokens.accessToken);
      expect(decryptions).toBe(2);
    });

    it('lets reads spread over more values than it holds pass through, keeping the values read again', () => {
      let decryptions = 0;
      const watched = createVault({ ...ring, get: (id: string) => (decryptions++, ring.get(id)) }, { openedCacheSize: 2 });
      const hot = sealTokens(vault, 'hot', tokens).accessTokenSealed;
      watched.open(hot, { rowId: 'hot', purpose: 'access_token' });
      watched.open(hot, { rowId: 'hot', purpose: 'access_token' });
      for (let i = 0; i < 50; i++) watched.open(sealTokens(vault, `once-${i}`, tokens).accessTokenSealed, { rowId: `once-${i}`, purpose: 'access_token' });
      expect(decryptions).toBe(52);
      expect(watched.open(hot, { rowId: 'hot', purpose: 'access_token' })).toBe(tokens.accessToken);
      expect(decryptions).toBe(52);
    });

    it('pushes out the value read longest ago when a third is kept', () => {
      let decryptions = 0;
      const watched = createVault({ ...ring, get: (id: string) => (decryptions++, ring.get(id)) }, { openedCacheSize: 2 });
      const sealed = new Map(['hot', 'cold', 'new'].map((row) => [row, sealTokens(vault, row, tokens).accessTokenSealed]));
      const read = (row: string) => watched.open(sealed.get(row)!, { rowId: row, purpose: 'access_token' });
      const keep = (row: string) => (read(row), read(row));
      keep('hot');
      keep('cold');
      read('hot');
      keep('new'); // pushes out `cold`, read longest ago, not `hot`, kept first
      expect(decryptions).toBe(6);
      expect(read('hot')).toBe(tokens.accessToken);
      expect(decryptions).toBe(6);
      read('cold');
      expect(decryptions).toBe(7);
    });
  });

  describe('parseKeyRing', () => {
    it.each([
      ['', 'TOKEN_ENCRYPTION_KEYS: at least one keyId:base64Key is required'],
      ['nokey', 'TOKEN_ENCRYPTION_KEYS: each entry must be keyId:base64Key, with a key id of letters, digits, - or _'],
      ['k1:c2hvcnQ=', 'TOKEN_ENCRYPTION_KEYS: key "k1" must be 32 bytes, base64-encoded (it is 5)'],
      [`k1:${Buffer.alloc(32).toString('base64')},k1:${Buffer.alloc(32).toString('base64')}`, 'TOKEN_ENCRYPTION_KEYS: key ids must be unique'],
    ])('refuses %j', (value, message) => {
      expect(() => parseKeyRing(value)).toThrow(message);
    });
  });
});
