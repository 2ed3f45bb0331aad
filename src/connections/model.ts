import type { Sealed } from '../shared/sealed.js';
import type { ConnectionStatus } from './lifecycle/statuses.js';

export type { ConnectionStatus } from './lifecycle/statuses.js';

/**
 * One seller authorization, as its row holds it. Tokens stay sealed here; only `vault/` opens them.
 * Narrower read shapes pick from it (`Pick<Connection, …>`), so a field means one thing everywhere.
 */
export interface Connection {
  id: string;
  /** The TikTok Shop app (configuration id) the seller authorized: its key, secret and hosts serve this connection. */
  app: string;
  openId: string;
  userType: number;
  sellerName: string;
  sellerBaseRegion: string | null;
  merchantRef: string | null;
  createdByApiClientId: string | null;
  status: ConnectionStatus;
  statusReason: string | null;
  /**
   * The scopes the seller granted, as TikTok last listed them; null when no token answer ever listed
   * them ("unknown", never "none": #11 item 5). The scope pre-check never refuses on unknown scopes.
   */
  grantedScopes: string[] | null;
  accessTokenSealed: Sealed;
  refreshTokenSealed: Sealed;
  encryptionKeyId: string;
  accessTokenExpiresAt: Date;
  refreshTokenExpiresAt: Date;
  /** When the refresher should refresh; null when the connection is not refreshed any more. */
  refreshDueAt: Date | null;
  /** Compare-and-set guard: bumped on every token write. */
  tokenVersion: number;
  claimOwner: string | null;
  claimExpiresAt: Date | null;
  refreshFailureCount: number;
  lastRefreshedAt: Date | null;
  lastRefreshError: string | null;
  /** A refresh may have reached TikTok without its answer being stored: the refresh token may be rotated away. */
  refreshOutcomeUnknownAt: Date | null;
  /** When the latest refresh attempt claimed the row. */
  refreshAttemptedAt: Date | null;
  /** Last authorization-expiry warning sent, in days before the end (30, 7, 1). */
  expiryWarningDays: number | null;
  authorizedAt: Date;
  createdAt: Date;
  updatedAt: Date;
}

/** A shop of a seller authorization; `removedAt` once it left the authorization. */
export interface Shop {
  id: string;
  connectionId: string;
  cipher: string;
  code: string | null;
  name: string;
  region: string;
  sellerType: string | null;
  removedAt: Date | null;
}

/** A connection as internal apps and operators list it: no token, sealed or not, and its current shops. */
export type ConnectionListing = Pick<
  Connection,
  'id' | 'app' | 'merchantRef' | 'sellerName' | 'status' | 'statusReason' | 'grantedScopes' | 'accessTokenExpiresAt' | 'refreshTokenExpiresAt' | 'createdAt'
> & { shops: Pick<Shop, 'id' | 'cipher' | 'name' | 'region'>[] };

/** What the refresher needs of one connection. */
export type RefreshState = Pick<
  Connection,
  | 'id' | 'app' | 'openId' | 'merchantRef' | 'status' | 'statusReason' | 'grantedScopes' | 'accessTokenSealed' | 'refreshTokenSealed'
  | 'accessTokenExpiresAt' | 'refreshTokenExpiresAt' | 'refreshDueAt' | 'tokenVersion' | 'claimOwner' | 'claimExpiresAt'
  | 'refreshFailureCount' | 'lastRefreshedAt' | 'lastRefreshError' | 'refreshOutcomeUnknownAt' | 'expiryWarningDays'
  | 'refreshAttemptedAt'
>;

/** What the token, sign and proxy paths need about a shop and its connection, from one read. */
export type ShopAccess = {
  shopId: string;
  /** The connection's app (from the same row): it signs and refreshes for this shop. */
  app: string;
  shopCipher: string;
  connectionId: string;
  /** Set once TikTok stopped listing the shop in the authorization: it gets no tokens. */
  removedAt: Date | null;
} & Pick<
  Connection,
  'status' | 'statusReason' | 'grantedScopes' | 'accessTokenSealed' | 'accessTokenExpiresAt' | 'refreshDueAt'
> & {
    /** Whether the connection has open problems (only asked for by the proxy). */
    hasOpenProblems: boolean;
  };

export type ProblemKind = 'scope_missing';

/** Something wrong with a connection that a person must fix. */
export interface ProblemRecord {
  id: string;
  connectionId: string;
  kind: ProblemKind;
  apiPath: string;
  scopeKeys: string[];
  tiktokCode: number | null;
  tiktokMessage: string | null;
  occurrences: number;
  firstSeenAt: Date;
  lastSeenAt: Date;
  resolvedAt: Date | null;
  resolution: string | null;
}
