export { scopeName } from '../tiktok/scopes.js';

/** A realistic app: shop, order and product reads, but not finance (so 105005 happens naturally). */
export const defaultAppScopes: readonly string[] = [
  'seller.authorization.info',
  'seller.shop.info',
  'seller.order.info',
  'seller.product.basic',
  'seller.fulfillment.basic',
  'seller.logistics',
];

