import type { Sealed } from '../../shared/sealed.js';
import type { Connection as ConnectionRow, Shop as ShopRow } from '../generated/client.js';

export type ConnectionStatus = 'active' | 'needs_reauth' | 'expired' | 'suspended' | 'revoked';

/** One seller authorization as the domain sees it. Tokens stay sealed here. */
export interface ConnectionRecord {
  id: string;
  openId: string;
  userType: number;
  sellerName: string;
  sellerBaseRegion: string | null;
  merchantRef: string | null;
  createdByApiClientId: string | null;
  status: ConnectionStatus;
  statusReason: string | null;
  grantedScopes: string[];
  accessTokenSealed: Sealed;
  refreshTokenSealed: Sealed;
  encryptionKeyId: string;
  accessTokenExpiresAt: Date;
  refreshTokenExpiresAt: Date;
  refreshDueAt: Date | null;
  tokenVersion: number;
  refreshFailureCount: number;
  lastRefreshedAt: Date | null;
  lastRefreshError: string | null;
  expiryWarningDays: number | null;
  authorizedAt: Date;
  createdAt: Date;
  updatedAt: Date;
}

export interface ShopRecord {
  id: string;
  connectionId: string;
  cipher: string;
  code: string | null;
  name: string;
  region: string;
  sellerType: string | null;
  removedAt: Date | null;
}

export function toConnection(row: ConnectionRow): ConnectionRecord {
  return {
    id: row.id,
    openId: row.openId,
    userType: row.userType,
    sellerName: row.sellerName,
    sellerBaseRegion: row.sellerBaseRegion,
    merchantRef: row.merchantRef,
    createdByApiClientId: row.createdByApiClientId,
    status: row.status,
    statusReason: row.statusReason,
    grantedScopes: row.grantedScopes,
    accessTokenSealed: row.accessTokenSealed as Sealed,
    refreshTokenSealed: row.refreshTokenSealed as Sealed,
    encryptionKeyId: row.encryptionKeyId,
    accessTokenExpiresAt: row.accessTokenExpiresAt,
    refreshTokenExpiresAt: row.refreshTokenExpiresAt,
    refreshDueAt: row.refreshDueAt,
    tokenVersion: row.tokenVersion,
    refreshFailureCount: row.refreshFailureCount,
    lastRefreshedAt: row.lastRefreshedAt,
    lastRefreshError: row.lastRefreshError,
    expiryWarningDays: row.expiryWarningDays,
    authorizedAt: row.authorizedAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export function toShop(row: ShopRow): ShopRecord {
  return {
    id: row.id,
    connectionId: row.connectionId,
    cipher: row.cipher,
    code: row.code,
    name: row.name,
    region: row.region,
    sellerType: row.sellerType,
    removedAt: row.removedAt,
  };
}
