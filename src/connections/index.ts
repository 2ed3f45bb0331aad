export { createConnectionsService, merchantStatusLinkTtlSeconds, type ConnectionsService, type ConnectionsServiceDeps, type MerchantAccess, type SignedCookie } from './service.js';
export type { CreatedConnectSession, NewConnectSessionInput } from './connect-sessions.js';
export type { ConnectPageModel } from './connect-page.js';
export type { MerchantStatusModel, MerchantProblem, ProblemCause, ExpiryLevel } from './merchant-status.js';
export { describeProblem, problemCause } from './merchant-status.js';
export type { Problems, ProblemRecord } from './problems.js';
export type { CompletedAuthorization } from './authorization.js';
export { checkReturnUrl } from './return-url.js';
export { createShopSync, type ShopChanges, type ShopSync, type ShopSyncTrigger } from './shop-sync.js';
