import type { ConnectionStatus, Shop } from '../connections/model.js'; // lifecycle
import type { AuthorizationStore } from '../db/stores/authorization-store.js';
import type { Clock } from '../shared/clock.js';
import { ConnectionNotFound } from '../shared/errors.js';
import { scopeName } from '../tiktok/index.js';
import type { Problems, ProblemRecord } from './problems.js';
import { appScopes } from './requested-access.js';

/**
 * Why a connection lacks a permission, which decides who can fix it:
 * - `permission_not_granted`: the app asks for the scope but the merchant's approval did not grant
 *   it (unticked on TikTok's page); the merchant re-authorizes and keeps it ticked.
 * - `app_lacks_package`: the app does not ask for the scope (its API package is not enabled in
 *   Partner Center), or TikTok refused a scope that was granted; only the app developer can fix it.
 */
export type ProblemCause = 'permission_not_granted' | 'app_lacks_package';

/** An open problem as the merchant page needs it: facts only, the words are the view's. */
export interface MerchantProblem {
  cause: ProblemCause;
  scopeKeys: string[];
  apiPath: string;
  tiktokCode: number | null;
  tiktokMessage: string | null;
}

/** How close the end of the authorization is: over, within a day, a week, a month, or not close. */
export type ExpiryLevel = 'ended' | 'day' | 'week' | 'month';

/** A connection as a merchant sees it: facts for the view to put in the merchant's words, never a token. */
export interface MerchantStatusModel {
  connectionId: string;
  sellerName: string;
  sellerBaseRegion: string | null;
  status: ConnectionStatus;
  /** The service's own reason (may name TikTok codes): for the support details only. */
  statusReason: string | null;
  shops: Pick<Shop, 'id' | 'name' | 'region'>[];
  removedShops: Pick<Shop, 'id' | 'name' | 'region'>[];
  /** When the authorization ends (the refresh token's expiry, from TikTok). */
  accessEndsAt: Date;
  /** When the current access token expires (a `refresh_lost` connection works until then). */
  accessTokenExpiresAt: Date;
  /** Set within 30, 7 or 1 days of `accessEndsAt`. */
  expiry: ExpiryLevel | null;
  /** null: TikTok did not say which permissions were granted ("scopes unknown"). */
  grantedScopes: string[] | null;
  problems: MerchantProblem[];
}

const day = 86_400_000;

export function createMerchantStatus(deps: { connections: Pick<AuthorizationStore, 'findById' | 'listShops'>; problems: Problems; clock: Clock }) {
  return async function merchantStatus(connectionId: string): Promise<MerchantStatusModel> {
    const connection = await deps.connections.findById(connectionId);
    if (!connection) throw new ConnectionNotFound(connectionId);
    const shops = await deps.connections.listShops(connectionId);
    const pick = ({ id, name, region }: Shop) => ({ id, name, region });
    return {
      connectionId,
      sellerName: connection.sellerName,
      sellerBaseRegion: connection.sellerBaseRegion,
      status: connection.status,
      statusReason: connection.statusReason,
      shops: shops.filter((shop) => !shop.removedAt).map(pick),
      removedShops: shops.filter((shop) => shop.removedAt).map(pick),
      accessEndsAt: connection.refreshTokenExpiresAt,
      accessTokenExpiresAt: connection.accessTokenExpiresAt,
      expiry: expiryLevel(connection.refreshTokenExpiresAt, deps.clock.now()),
      grantedScopes: connection.grantedScopes,
      problems: (await deps.problems.listOpen(connectionId)).map((problem) => ({
        cause: problemCause(problem, connection.grantedScopes ?? []),
        scopeKeys: problem.scopeKeys,
        apiPath: problem.apiPath,
        tiktokCode: problem.tiktokCode,
        tiktokMessage: problem.tiktokMessage,
      })),
    };
  };
}

/** Within 30, 7 and 1 days of the end of the authorization, or after it. */
export function expiryLevel(endsAt: Date, now: Date): ExpiryLevel | null {
  const left = endsAt.getTime() - now.getTime();
  if (left <= 0) return 'ended';
  if (left <= day) return 'day';
  if (left <= 7 * day) return 'week';
  if (left <= 30 * day) return 'month';
  return null;
}

/** Who can fix a missing permission (see {@link ProblemCause}). */
export function problemCause(problem: Pick<ProblemRecord, 'scopeKeys'>, grantedScopes: readonly string[]): ProblemCause {
  const untickedByMerchant = problem.scopeKeys.some((scope) => appScopes.includes(scope) && !grantedScopes.includes(scope));
  return untickedByMerchant ? 'permission_not_granted' : 'app_lacks_package';
}

/** A problem in an operator's words, with the remedy that fits its cause (admin console). */
export function describeProblem(problem: ProblemRecord, grantedScopes: readonly string[]): { title: string; explanation: string; whatToDo: string } {
  const names = problem.scopeKeys.map(scopeName);
  const permission = names.length === 0 ? 'an API' : names.join(' or ');
  const code = problem.tiktokCode === null ? '' : ` (TikTok error ${problem.tiktokCode})`;
  return problemCause(problem, grantedScopes) === 'permission_not_granted'
    ? {
        title: `Permission not granted: ${permission}`,
        explanation: `The merchant did not grant ${permission} when approving${code}.`,
        whatToDo: 'Send the merchant a re-authorization link; they re-authorize and keep the permission ticked.',
      }
    : {
        title: `Missing API package: ${permission}`,
        explanation: `The app is missing permission for ${permission}${code}.`,
        whatToDo: 'The app developer must enable the API package in TikTok Partner Center (Manage API); then the merchant re-authorizes.',
      };
}
