import type { Connection, Shop } from '../../connections/model.js';
import type { Sealed } from '../../shared/sealed.js';

/**
 * The one column list and row mapper of `connections` and `shops`. A query selects the fields it
 * needs with {@link selectConnection} (each column named after its domain field) and maps the row
 * with {@link mapConnection}; the narrow read shapes are `Pick`s of the same domain types. Prisma's
 * rows use the same field names, so the mappers read them too.
 */

interface Column<T> {
  sql: string;
  /** More columns the value is read from, selected under these domain names (`read`'s `more`). */
  more?: Record<string, string>;
  read(value: unknown, more: Record<string, unknown>): T;
}

const text = (sql: string): Column<string> => ({ sql, read: (value) => value as string });
const nullableText = (sql: string): Column<string | null> => ({ sql, read: (value) => (value ?? null) as string | null });
const sealed = (sql: string): Column<Sealed> => ({ sql, read: (value) => value as Sealed });
const int = (sql: string): Column<number> => ({ sql, read: (value) => Number(value) });
const nullableInt = (sql: string): Column<number | null> => ({ sql, read: (value) => (value === null || value === undefined ? null : Number(value)) });
const date = (sql: string): Column<Date> => ({ sql, read: (value) => new Date(value as string | Date) });
const nullableDate = (sql: string): Column<Date | null> => ({
  sql,
  read: (value) => (value === null || value === undefined ? null : new Date(value as string | Date)),
});
/** The granted scopes, or null when TikTok never said (`scopes_known` false, #11 item 5). */
const grantedScopes: Column<string[] | null> = {
  sql: 'granted_scopes',
  more: { scopesKnown: 'scopes_known' },
  read: (value, more) => (more.scopesKnown === false ? null : ((value as string[] | null) ?? [])),
};

type Columns<T> = { [K in keyof T]: Column<T[K]> };

export const connectionColumns: Columns<Connection> = {
  id: text('id'),
  app: text('app'),
  openId: text('open_id'),
  userType: int('user_type'),
  sellerName: text('seller_name'),
  sellerBaseRegion: nullableText('seller_base_region'),
  merchantRef: nullableText('merchant_ref'),
  createdByApiClientId: nullableText('created_by_api_client_id'),
  status: { sql: 'status::text', read: (value) => value as Connection['status'] },
  statusReason: nullableText('status_reason'),
  grantedScopes,
  accessTokenSealed: sealed('access_token_sealed'),
  refreshTokenSealed: sealed('refresh_token_sealed'),
  encryptionKeyId: text('encryption_key_id'),
  accessTokenExpiresAt: date('access_token_expires_at'),
  refreshTokenExpiresAt: date('refresh_token_expires_at'),
  refreshDueAt: nullableDate('refresh_due_at'),
  tokenVersion: int('token_version'),
  claimOwner: nullableText('claim_owner'),
  claimExpiresAt: nullableDate('claim_expires_at'),
  refreshFailureCount: int('refresh_failure_count'),
  lastRefreshedAt: nullableDate('last_refreshed_at'),
  lastRefreshError: nullableText('last_refresh_error'),
  refreshOutcomeUnknownAt: nullableDate('refresh_outcome_unknown_at'),
  refreshAttemptedAt: nullableDate('refresh_attempted_at'),
  expiryWarningDays: nullableInt('expiry_warning_days'),
  authorizedAt: date('authorized_at'),
  createdAt: date('created_at'),
  updatedAt: date('updated_at'),
};

export const shopColumns: Columns<Shop> = {
  id: text('id'),
  connectionId: text('connection_id'),
  cipher: text('cipher'),
  code: nullableText('code'),
  name: text('name'),
  region: text('region'),
  sellerType: nullableText('seller_type'),
  removedAt: nullableDate('removed_at'),
};

export const allConnectionFields = Object.keys(connectionColumns) as (keyof Connection)[];
export const allShopFields = Object.keys(shopColumns) as (keyof Shop)[];

function selectList<T>(columns: Columns<T>, fields: readonly (keyof T)[], alias: string, prefix: string): string {
  const qualify = (sql: string) => (alias ? sql.replace(/^([a-z_]+)/, `${alias}.$1`) : sql);
  return fields
    .flatMap((field) => {
      const column = columns[field];
      const more = Object.entries(column.more ?? {}).map(([name, sql]) => `${qualify(sql)} AS "${prefix}${name}"`);
      return [`${qualify(column.sql)} AS "${prefix}${String(field)}"`, ...more];
    })
    .join(', ');
}

function mapRow<T, K extends keyof T>(columns: Columns<T>, row: Record<string, unknown>, fields: readonly K[], prefix: string): Pick<T, K> {
  const mapped = {} as Pick<T, K>;
  for (const field of fields) {
    const column = columns[field];
    const more = Object.fromEntries(Object.keys(column.more ?? {}).map((name) => [name, row[`${prefix}${name}`]]));
    mapped[field] = column.read(row[`${prefix}${String(field)}`], more) as T[K];
  }
  return mapped;
}

/** `c.open_id AS "openId", …` for the given fields (`alias` qualifies the columns). */
export const selectConnection = (fields: readonly (keyof Connection)[], alias = ''): string => selectList(connectionColumns, fields, alias, '');
export const mapConnection = <K extends keyof Connection>(row: Record<string, unknown>, fields: readonly K[]): Pick<Connection, K> =>
  mapRow(connectionColumns, row, fields, '');

/** With a `prefix` (`"shop."`), shop columns can stand beside a connection's in one row. */
export const selectShop = (fields: readonly (keyof Shop)[], alias = '', prefix = ''): string => selectList(shopColumns, fields, alias, prefix);
export const mapShop = <K extends keyof Shop>(row: Record<string, unknown>, fields: readonly K[], prefix = ''): Pick<Shop, K> =>
  mapRow(shopColumns, row, fields, prefix);
