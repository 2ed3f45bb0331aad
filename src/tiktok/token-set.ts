import { z } from 'zod';
import { fromUnixSeconds } from '../shared/clock.js';
import { TikTokBadResponse } from './errors.js';

/** The grant TikTok hands out on token get and refresh. Expiries are absolute instants. */
export interface TokenSet {
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string;
  refreshTokenExpiresAt: Date;
  openId: string;
  sellerName: string;
  sellerBaseRegion: string | null;
  /** 0 seller, 1 creator, 3 partner. */
  userType: number;
  /** Scope keys, from `granted_scopes` (or the older `granted_permissions`). */
  grantedScopes: string[];
}

/** Unix seconds, as a number or a digit string. Values before 2001 cannot be absolute instants: they are refused. */
const unixSeconds = z
  .union([z.number(), z.string().regex(/^\d+$/).transform(Number)])
  .pipe(z.number().int().min(1_000_000_000));

const tokenDataSchema = z.object({
  access_token: z.string().min(1),
  access_token_expire_in: unixSeconds,
  refresh_token: z.string().min(1),
  refresh_token_expire_in: unixSeconds,
  open_id: z.string().min(1),
  seller_name: z.string().nullish(),
  seller_base_region: z.string().nullish(),
  user_type: z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)]),
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
export function toTokenSet(data: unknown, where: { method: string; apiPath: string; httpStatus?: number }): TokenSet {
  const parsed = tokenDataSchema.safeParse(data);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || 'data'))];
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
    openId: d.open_id,
    sellerName: d.seller_name ?? '',
    sellerBaseRegion: d.seller_base_region ? d.seller_base_region : null,
    userType: d.user_type,
    grantedScopes: d.granted_scopes ?? d.granted_permissions ?? [],
  };
}
