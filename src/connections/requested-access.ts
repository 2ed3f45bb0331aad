/**
 * The scopes this service's app asks for and needs to work with a shop. A scope here that a
 * connection's grant lacks was unticked by the merchant; a scope missing from here is an API
 * package the app itself lacks (see `problemCause`). Merchant pages name them in the merchant's
 * language (http/views/i18n).
 */
export const appScopes: readonly string[] = [
  'seller.authorization.info',
  'seller.shop.info',
  'seller.order.info',
  'seller.product.basic',
  'seller.fulfillment.basic',
  'seller.logistics',
];
