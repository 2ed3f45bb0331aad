import { z } from 'zod';
import { TikTokBadResponse } from './errors.js';

/** One shop from Get Authorized Shops. `id` is the `shop_id` webhooks use; `cipher` selects the shop in calls. */
export interface Shop {
  id: string;
  name: string;
  region: string;
  /** `CROSS_BORDER` or `LOCAL`. */
  sellerType: string;
  cipher: string;
  code: string;
}

export const authorizedShopsPath = '/authorization/202309/shops';

const shopsSchema = z.object({
  shops: z
    .array(
      z.object({
        id: z.union([z.string().min(1), z.number().transform(String)]),
        name: z.string().default(''),
        region: z.string().default(''),
        seller_type: z.string().default(''),
        cipher: z.string().min(1),
        code: z.string().default(''),
      }),
    )
    .nullish(),
});

/**
 * Validates the `data` of Get Authorized Shops. A shop without `id` or `cipher` is a {@link TikTokBadResponse}.
 *
 * @example
 * toShops({ shops: [{ id: '7000714532876273420', name: 'Maomao beauty shop', region: 'GB',
 *   seller_type: 'CROSS_BORDER', cipher: 'GCP_XF90igAAAABh00qsWgtvOiGFNqyubMt3', code: 'CNGBCBA4LLU8' }] })
 * // [{ id: '7000714532876273420', …, sellerType: 'CROSS_BORDER', cipher: 'GCP_XF90…', code: 'CNGBCBA4LLU8' }]
 */
export function toShops(data: unknown, httpStatus?: number): Shop[] {
  const parsed = shopsSchema.safeParse(data ?? {});
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || 'data'))];
    throw new TikTokBadResponse(`TikTok's answer to GET ${authorizedShopsPath} is unusable: missing or invalid ${fields.join(', ')}.`, {
      method: 'GET',
      apiPath: authorizedShopsPath,
      httpStatus,
      cause: parsed.error,
    });
  }
  return (parsed.data.shops ?? []).map((shop) => ({
    id: shop.id,
    name: shop.name,
    region: shop.region,
    sellerType: shop.seller_type,
    cipher: shop.cipher,
    code: shop.code,
  }));
}
