import type { ConnectionListingStore } from '../db/stores/connection-listing-store.js';
import type { ConnectionListing, ConnectionStatus } from '../connections/model.js';
import { ConnectionNotFound, ValidationFailed } from '../shared/errors.js';
import { scopeName } from '../tiktok/index.js';
import type { ProblemRecord } from '../connections/problems.js';

/** A connection as internal apps see it (GET /v1/connections). Never a token. */
export interface ConnectionView {
  id: string;
  /** The TikTok Shop app the seller authorized (#13). */
  app: string;
  merchantRef: string | null;
  sellerName: string;
  status: ConnectionStatus;
  statusReason: string | null;
  /** null: TikTok never listed the granted scopes ("scopes unknown", #11 item 5). */
  grantedScopes: string[] | null;
  accessTokenExpiresAt: string;
  /** When the seller's authorization (refresh token) runs out; then the merchant must re-authorize. */
  authorizationExpiresAt: string;
  shops: { id: string; cipher: string; name: string; region: string }[];
  problems: ProblemView[];
  statusPageUrl: string | null;
}

export interface ProblemView {
  kind: string;
  apiPath: string;
  scopeKeys: string[];
  scopeNames: string[];
  message: string;
  remedy: string;
  tiktok: { code: number; message: string } | null;
  occurrences: number;
  firstSeenAt: string;
  lastSeenAt: string;
}

export interface ConnectionViews {
  /** `app`: one app's connections; `apps`: the key's apps (undefined: every app). */
  list(filter: {
    merchantRef?: string;
    status?: ConnectionStatus;
    app?: string;
    cursor?: string;
    limit: number;
    shopIds?: ReadonlySet<string> | undefined;
    apps?: ReadonlySet<string> | undefined;
  }): Promise<{
    connections: ConnectionView[];
    nextCursor: string | null;
  }>;
  get(id: string, options?: { shopIds?: ReadonlySet<string> | undefined; apps?: ReadonlySet<string> | undefined }): Promise<ConnectionView>;
}

export interface ConnectionViewsDeps {
  directory: ConnectionListingStore;
  problems: { listOpen(connectionId: string): Promise<ProblemRecord[]> };
  /** The signed merchant status page link, when the connections service offers one. */
  statusLink?: (connectionId: string) => string | Promise<string>;
}

const scopeRemedy =
  'The app developer enables the API package for this scope in TikTok Partner Center (Manage API); then the merchant re-authorizes the app.';

export function createConnectionViews(deps: ConnectionViewsDeps): ConnectionViews {
  async function view(listing: ConnectionListing): Promise<ConnectionView> {
    const [problems, statusPageUrl] = await Promise.all([deps.problems.listOpen(listing.id), deps.statusLink?.(listing.id)]);
    return {
      id: listing.id,
      app: listing.app,
      merchantRef: listing.merchantRef,
      sellerName: listing.sellerName,
      status: listing.status,
      statusReason: listing.statusReason,
      grantedScopes: listing.grantedScopes,
      accessTokenExpiresAt: listing.accessTokenExpiresAt.toISOString(),
      authorizationExpiresAt: listing.refreshTokenExpiresAt.toISOString(),
      shops: listing.shops,
      problems: problems.map(toProblemView),
      statusPageUrl: statusPageUrl ?? null,
    };
  }

  const visible = (listing: ConnectionListing, shopIds?: ReadonlySet<string>, apps?: ReadonlySet<string>) =>
    (shopIds === undefined || listing.shops.some((shop) => shopIds.has(shop.id))) && (apps === undefined || apps.has(listing.app));

  return {
    async list(filter) {
      const afterId = filter.cursor === undefined ? undefined : decodeCursor(filter.cursor);
      const rows = await deps.directory.list({
        merchantRef: filter.merchantRef,
        status: filter.status,
        afterId,
        limit: filter.limit + 1,
        shopIds: filter.shopIds ? [...filter.shopIds] : undefined,
        apps: appFilter(filter.app, filter.apps),
      });
      const page = rows.slice(0, filter.limit);
      const last = page.at(-1);
      return {
        connections: await Promise.all(page.map(view)),
        nextCursor: rows.length > filter.limit && last ? Buffer.from(last.id, 'utf8').toString('base64url') : null,
      };
    },
    async get(id, options = {}) {
      const listing = await deps.directory.get(id);
      if (!listing || !visible(listing, options.shopIds, options.apps)) throw new ConnectionNotFound(id);
      return view(listing);
    },
  };
}

/** `?app=` within the key's apps (an app outside them lists nothing); undefined: no filter. */
function appFilter(app: string | undefined, allowed: ReadonlySet<string> | undefined): string[] | undefined {
  if (app !== undefined) return allowed === undefined || allowed.has(app) ? [app] : [];
  return allowed === undefined ? undefined : [...allowed];
}

function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^[0-9a-f-]{36}$/.test(id)) throw new ValidationFailed('Invalid query.cursor: use nextCursor from the previous page.');
  return id;
}

function toProblemView(problem: ProblemRecord): ProblemView {
  const scopeNames = problem.scopeKeys.map(scopeName);
  const needs = scopeNames.length > 0 ? ` (it needs ${scopeNames.join(' or ')})` : '';
  return {
    kind: problem.kind,
    apiPath: problem.apiPath,
    scopeKeys: problem.scopeKeys,
    scopeNames,
    message: `The app is not allowed to call ${problem.apiPath}${needs}.`,
    remedy: scopeRemedy,
    tiktok: problem.tiktokCode === null ? null : { code: problem.tiktokCode, message: problem.tiktokMessage ?? '' },
    occurrences: problem.occurrences,
    firstSeenAt: problem.firstSeenAt.toISOString(),
    lastSeenAt: problem.lastSeenAt.toISOString(),
  };
}
