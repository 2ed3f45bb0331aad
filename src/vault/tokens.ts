import type { Sealed } from '../shared/sealed.js';
import type { Vault } from './vault.js';

/** A connection's tokens in plain text. Lives only in memory, never in a log, a row or an answer body. */
export interface Tokens {
  accessToken: string;
  refreshToken: string;
}

/** A connection's tokens as stored: sealed for its row, with the key id that sealed them. */
export interface SealedTokens {
  accessTokenSealed: Sealed;
  refreshTokenSealed: Sealed;
  encryptionKeyId: string;
}

/** Seals both tokens of a connection, bound to its id. */
export function sealTokens(vault: Vault, connectionId: string, tokens: Tokens): SealedTokens {
  return {
    accessTokenSealed: vault.seal(tokens.accessToken, { rowId: connectionId, purpose: 'access_token' }),
    refreshTokenSealed: vault.seal(tokens.refreshToken, { rowId: connectionId, purpose: 'refresh_token' }),
    encryptionKeyId: vault.currentKeyId,
  };
}

export function openAccessToken(vault: Vault, connectionId: string, sealed: Sealed): string {
  return vault.open(sealed, { rowId: connectionId, purpose: 'access_token' });
}

export function openRefreshToken(vault: Vault, connectionId: string, sealed: Sealed): string {
  return vault.open(sealed, { rowId: connectionId, purpose: 'refresh_token' });
}
