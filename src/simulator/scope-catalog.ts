/**
 * Seller scope keys and their Partner Center names, copied from /work/shared/tiktok-scopes.json
 * (`scopes[].key` / `.name`). The authorize page shows the names; `granted_scopes` carries the keys.
 */
export const sellerScopeNames: Readonly<Record<string, string>> = {
  'seller.authorization.info': 'Shop Authorized Information',
  'seller.shop.info': 'Global Shop Information',
  'seller.order.info': 'Order Information',
  'seller.product.basic': 'Product Basic',
  'seller.product.write': 'Product Modify',
  'seller.product.delete': 'Product Delete & Recover',
  'seller.fulfillment.basic': 'Fulfillment Basic',
  'seller.logistics': 'Logistics Basic',
  'seller.return_refund.basic': 'Return & Refund Basic',
  'seller.finance.info': 'Finance Information',
  'seller.promotion.info': 'Promotion Information',
  'seller.customer_service': 'Customer Service',
  'data.shop_analytics.public.read': 'TikTok Shop Analytics Public',
};

/** A realistic app: shop, order and product reads, but not finance (so 105005 happens naturally). */
export const defaultAppScopes: readonly string[] = [
  'seller.authorization.info',
  'seller.shop.info',
  'seller.order.info',
  'seller.product.basic',
  'seller.fulfillment.basic',
  'seller.logistics',
];

export function scopeName(key: string): string {
  return sellerScopeNames[key] ?? key;
}
