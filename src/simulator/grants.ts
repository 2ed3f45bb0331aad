import { randomBytes } from 'node:crypto';
import { unixSeconds, type Clock } from '../shared/clock.js';
import { tiktokErrors, type TikTokError } from './envelope.js';
import { increment, type GrantRecord, type SimulatorState } from './state.js';

const authCodeLifetimeSeconds = 30 * 60;

/** The `data` of `/api/v2/token/get` and `/api/v2/token/refresh`. */
export interface TokenData {
  access_token: string;
  access_token_expire_in: number;
  refresh_token: string;
  refresh_token_expire_in: number;
  open_id: string;
  seller_name: string;
  seller_base_region: string;
  user_type: 0;
  granted_scopes?: string[];
}

export type GrantResult = { ok: true; data: TokenData; openId: string } | { ok: false; error: TikTokError };

/** A single-use code valid 30 minutes; scopes outside the app's enabled scopes are dropped. */
export function issueAuthCode(state: SimulatorState, clock: Clock, openId: string, grantedScopes?: string[]): string {
  if (!state.sellers.has(openId)) throw new Error(`simulator: unknown seller open_id ${openId}`);
  const appScopes = state.settings.appScopes;
  const scopes = grantedScopes === undefined ? [...appScopes] : grantedScopes.filter((scope) => appScopes.includes(scope));
  const code = `ROW_${randomBytes(24).toString('base64url')}`;
  state.authCodes.set(code, { code, openId, grantedScopes: scopes, expiresAt: unixSeconds(clock.now()) + authCodeLifetimeSeconds });
  return code;
}

export function exchangeAuthCode(state: SimulatorState, clock: Clock, code: string): GrantResult {
  const now = unixSeconds(clock.now());
  const record = state.authCodes.get(code);
  if (record === undefined || record.usedAt !== undefined || record.expiresAt <= now) {
    return { ok: false, error: tiktokErrors.invalidAuthCode };
  }
  record.usedAt = now;
  const grant: GrantRecord = {
    id: randomBytes(8).toString('hex'),
    openId: record.openId,
    grantedScopes: record.grantedScopes,
    refreshTokenExpiresAt: now + state.settings.refreshTokenLifetimeSeconds,
    createdAt: now,
  };
  state.grants.set(grant.id, grant);
  return success(state, grant, newRefreshToken(state, grant.id), now);
}

export function refreshGrant(state: SimulatorState, clock: Clock, refreshToken: string): GrantResult {
  const now = unixSeconds(clock.now());
  const record = state.refreshTokens.get(refreshToken);
  const grant = record === undefined ? undefined : state.grants.get(record.grantId);
  if (record === undefined || grant === undefined) return { ok: false, error: tiktokErrors.authRecordNotFound };
  increment(state.counters.refreshes.byOpenId, grant.openId);
  if (record.rotatedAt !== undefined) {
    state.counters.reusedRefreshTokens += 1;
    const graceEnds = record.rotatedAt + state.settings.rotationGraceSeconds;
    if (state.settings.rotation !== 'grace' || now >= graceEnds) return { ok: false, error: tiktokErrors.authRecordNotFound };
  }
  if (grant.revokedAt !== undefined) return { ok: false, error: tiktokErrors.authRecordNotFound };
  if (grant.refreshTokenExpiresAt <= now) return { ok: false, error: tiktokErrors.refreshTokenExpired };
  if (state.settings.strict.refreshRevokesAccessTokens) supersedeAccessTokens(state, grant.id, now);
  if (state.settings.rotation === 'non-rotating') return success(state, grant, refreshToken, now);
  record.rotatedAt ??= now;
  return success(state, grant, newRefreshToken(state, grant.id), now);
}

/** A refresh replaces the grant's access tokens: the ones handed out before stop working (strict mode). */
function supersedeAccessTokens(state: SimulatorState, grantId: string, now: number): void {
  for (const token of state.accessTokens.values()) {
    if (token.grantId === grantId) token.supersededAt ??= now;
  }
}

/** The seller removed the app: every token of every authorization stops working. */
export function revokeSeller(state: SimulatorState, clock: Clock, openId: string): number {
  const now = unixSeconds(clock.now());
  let revoked = 0;
  for (const grant of state.grants.values()) {
    if (grant.openId === openId && grant.revokedAt === undefined) {
      grant.revokedAt = now;
      revoked += 1;
    }
  }
  return revoked;
}

function newRefreshToken(state: SimulatorState, grantId: string): string {
  const token = `ROW_${randomBytes(32).toString('base64url')}`;
  state.refreshTokens.set(token, { token, grantId });
  return token;
}

function success(state: SimulatorState, grant: GrantRecord, refreshToken: string, now: number): GrantResult {
  const seller = state.sellers.get(grant.openId);
  if (seller === undefined) return { ok: false, error: tiktokErrors.authRecordNotFound };
  const accessToken = `ROW_${randomBytes(32).toString('base64url')}`;
  const accessExpiresAt = Math.min(now + state.settings.accessTokenLifetimeSeconds, grant.refreshTokenExpiresAt);
  state.accessTokens.set(accessToken, { token: accessToken, grantId: grant.id, expiresAt: accessExpiresAt });
  return {
    ok: true,
    openId: grant.openId,
    data: {
      access_token: accessToken,
      access_token_expire_in: accessExpiresAt,
      refresh_token: refreshToken,
      refresh_token_expire_in: grant.refreshTokenExpiresAt,
      open_id: grant.openId,
      seller_name: seller.name,
      seller_base_region: seller.baseRegion,
      user_type: 0,
      ...(state.settings.sendGrantedScopes ? { granted_scopes: [...grant.grantedScopes] } : {}),
    },
  };
}
