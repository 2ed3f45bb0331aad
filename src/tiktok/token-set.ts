import { z } from 'zod';
import { fromUnixSeconds } from '../shared/clock.js';
import { TikTokBadResponse } from './errors.js';

/** The grant TikTok hands out on token get and refresh. Expiries are absolute instants. */
export interface TokenSet {
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string;
  refreshTokenExpiresAt: Date;
  /** Who authorized. Always present on token get; on refresh TikTok may leave it out (then ''), and only the grant matters. */
  openId: string;
  sellerName: string;
  sellerBaseRegion: string | null;
  /** 0 seller, 1 creator, 3 partner. */
  userType: number;
  /**
   * Scope keys, from `granted_scopes` (or the older `granted_permissions`). `undefined` when the answer
   * has neither: older grants and several public payloads carry none, which means "unknown", never
   * "none" (keep the last known list).
   */
  grantedScopes: string[] | undefined;
}

/** 9999-12-31T23:59:59Z: later "never expires" values are clamped here, so every expiry is a storable date. */
const latestExpiry = 253_402_300_799;

/** Unix seconds, as a number or a digit string. Values before 2001 cannot be absolute instants: they are refused. */
const unixSeconds = z
  .union([z.number(), z.string().regex(/^\d+$/).transform(Number)])
  .pipe(z.number().int().min(1_000_000_000))
  .transform((seconds) => Math.min(seconds, latestExpiry));

const tokenDataSchema = z.object({
  access_token: z.string().min(1),
  access_token_expire_in: unixSeconds,
  refresh_token: z.string().min(1),
  refresh_token_expire_in: unixSeconds,
  open_id: z.string().min(1).optional(),
  seller_name: z.string().nullish(),
  seller_base_region: z.string().nullish(),
  user_type: z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)]).optional(),
  granted_scopes: z.array(z.string()).nullish(),
  granted_permissions: z.array(z.string()).nullish(),
});

/**
 * Validates the `data` of a token response and converts it. A response missing a token or an expiry
 * is a {@link TikTokBadResponse}, never a partial token set; the message names fields, never values.
 *
 * @example
 * toTokenSet({ access_token: 'ROW_a', access_token_expire_in: 1696992654, refresh_token: 'ROW_r',
 *   refresh_token_expire_in: 4818450857, open_id: 'o', seller_name: 'S', seller_base_region: 'GB',
 *   user_type: 0, granted_scopes: ['seller.order.info'] }, { method: 'GET', apiPath: '/api/v2/token/get' })
 * // { accessToken: 'ROW_a', accessTokenExpiresAt: 2023-10-11T02:50:54.000Z, … }
 */
export function toTokenSet(
  data: unknown,
  where: { method: string; apiPath: string; httpStatus?: number },
  /** Token get identifies the seller and must say who it is; a refresh only has to carry the new grant. */
  options: { requireIdentity: boolean } = { requireIdentity: true },
): TokenSet {
  const parsed = tokenDataSchema.safeParse(data);
  const missingIdentity = parsed.success && options.requireIdentity
    ? (['open_id', 'user_type'] as const).filter((field) => parsed.data[field] === undefined)
    : [];
  if (!parsed.success || missingIdentity.length > 0) {
    const fields = parsed.success ? missingIdentity : [...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || 'data'))];
    throw new TikTokBadResponse(`TikTok's token response to ${where.method} ${where.apiPath} is unusable: missing or invalid ${fields.join(', ')}.`, {
      ...where,
      cause: new Error(`Invalid fields: ${fields.join(', ')}`),
    });
  }
  const d = parsed.data;
  return {
    accessToken: d.access_token,
    accessTokenExpiresAt: fromUnixSeconds(d.access_token_expire_in),
    refreshToken: d.refresh_token,
    refreshTokenExpiresAt: fromUnixSeconds(d.refresh_token_expire_in),
    openId: d.open_id ?? '',
    sellerName: d.seller_name ?? '',
    sellerBaseRegion: d.seller_base_region ? d.seller_base_region : null,
    userType: d.user_type ?? 0,
    grantedScopes: d.granted_scopes ?? d.granted_permissions ?? undefined,
  };
}
