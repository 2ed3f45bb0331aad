import { scopeName } from '../tiktok/index.js';

/** One permission the app asks the seller for, in plain words. */
export interface RequestedAccess {
  scopeKey: string;
  /** Partner Center's name for the scope. */
  name: string;
  /** What it lets the app do, for a merchant. */
  description: string;
}

const plainWords: Readonly<Record<string, string>> = {
  'seller.authorization.info': 'See which shops you connected and their regions.',
  'seller.shop.info': 'Read your shop profile and settings.',
  'seller.order.info': 'Read your orders.',
  'seller.product.basic': 'Read your product listings.',
  'seller.fulfillment.basic': 'Read and update how orders are shipped.',
  'seller.logistics': 'Read shipping and warehouse information.',
  'seller.return_refund.basic': 'Read returns and refunds.',
  'seller.finance.info': 'Read settlements and payments.',
};

/** The scopes this service's app needs to work with a shop. */
export const appScopes: readonly string[] = [
  'seller.authorization.info',
  'seller.shop.info',
  'seller.order.info',
  'seller.product.basic',
  'seller.fulfillment.basic',
  'seller.logistics',
];

/** The access shown on the connect page, in plain words. */
export function requestedAccess(scopeKeys: readonly string[] = appScopes): RequestedAccess[] {
  return scopeKeys.map((scopeKey) => ({
    scopeKey,
    name: scopeName(scopeKey),
    description: plainWords[scopeKey] ?? `Use "${scopeName(scopeKey)}".`,
  }));
}
