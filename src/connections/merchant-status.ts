import type { ConnectionStatus, Shop } from './model.js';
import type { AuthorizationStore } from '../db/stores/authorization-store.js';
import type { Clock } from '../shared/clock.js';
import { ConnectionNotFound } from '../shared/errors.js';
import { scopeName } from '../tiktok/index.js';
import type { Problems, ProblemRecord } from './problems.js';
import { requestedAccess, type RequestedAccess } from './requested-access.js';

/** A connection as a merchant sees it: plain words, never a token. */
export interface MerchantStatusModel {
  connectionId: string;
  sellerName: string;
  sellerBaseRegion: string | null;
  status: ConnectionStatus;
  statusLabel: string;
  statusExplanation: string;
  tone: 'ok' | 'warn' | 'bad';
  shops: Pick<Shop, 'id' | 'name' | 'region'>[];
  removedShops: Pick<Shop, 'id' | 'name' | 'region'>[];
  /** When the authorization ends (the refresh token's expiry, from TikTok). */
  accessEndsAt: Date;
  /** Set within 30, 7 or 1 days of `accessEndsAt`. */
  expiryWarning: string | null;
  /** null: TikTok did not say which permissions were granted ("scopes unknown"). */
  granted: RequestedAccess[] | null;
  problems: { title: string; explanation: string; whatToDo: string }[];
}

const statusWords: Record<ConnectionStatus, { label: string; explanation: string; tone: MerchantStatusModel['tone'] }> = {
  active: { label: 'Active', explanation: 'The app can work with your shops.', tone: 'ok' },
  needs_reauth: { label: 'Needs re-authorization', explanation: 'TikTok Shop no longer accepts this authorization. Re-authorize to reconnect.', tone: 'bad' },
  expired: { label: 'Expired', explanation: 'Your authorization ran out. Re-authorize to reconnect.', tone: 'bad' },
  suspended: { label: 'Suspended', explanation: 'An administrator paused this connection; the app cannot use your shops until it is resumed.', tone: 'warn' },
  revoked: { label: 'Revoked', explanation: 'This connection was ended; the app no longer has access. Re-authorize to connect again.', tone: 'bad' },
};

const day = 86_400_000;

export function createMerchantStatus(deps: { connections: Pick<AuthorizationStore, 'findById' | 'listShops'>; problems: Problems; clock: Clock }) {
  return async function merchantStatus(connectionId: string): Promise<MerchantStatusModel> {
    const connection = await deps.connections.findById(connectionId);
    if (!connection) throw new ConnectionNotFound(connectionId);
    const shops = await deps.connections.listShops(connectionId);
    const words = statusWords[connection.status];
    const pick = ({ id, name, region }: Shop) => ({ id, name, region });
    return {
      connectionId,
      sellerName: connection.sellerName,
      sellerBaseRegion: connection.sellerBaseRegion,
      status: connection.status,
      statusLabel: words.label,
      statusExplanation: connection.statusReason ? `${words.explanation} Reason: ${connection.statusReason}` : words.explanation,
      tone: words.tone,
      shops: shops.filter((shop) => !shop.removedAt).map(pick),
      removedShops: shops.filter((shop) => shop.removedAt).map(pick),
      accessEndsAt: connection.refreshTokenExpiresAt,
      expiryWarning: expiryWarning(connection.refreshTokenExpiresAt, deps.clock.now()),
      granted: connection.grantedScopes === null ? null : requestedAccess(connection.grantedScopes),
      problems: (await deps.problems.listOpen(connectionId)).map(describeProblem),
    };
  };
}

/** A warning within 30, 7 and 1 days of the end of the authorization. */
export function expiryWarning(endsAt: Date, now: Date): string | null {
  const left = endsAt.getTime() - now.getTime();
  if (left <= 0) return 'Access has ended. Re-authorize to reconnect your shops.';
  for (const days of [1, 7, 30]) {
    if (left <= days * day) {
      const within = days === 1 ? 'in less than a day' : `within ${days} days`;
      return `Access ends ${within}. Re-authorize before then to keep your shops connected.`;
    }
  }
  return null;
}

/** A problem in plain words, with what to do about it. */
export function describeProblem(problem: ProblemRecord): { title: string; explanation: string; whatToDo: string } {
  const names = problem.scopeKeys.map(scopeName);
  const permission = names.length === 0 ? 'an API' : names.join(' or ');
  const code = problem.tiktokCode === null ? '' : ` (TikTok error ${problem.tiktokCode})`;
  return {
    title: `Missing permission: ${permission}`,
    explanation: `The app is missing permission for ${permission}${code}.`,
    whatToDo: 'The app developer must enable it in TikTok Partner Center; then re-authorize here.',
  };
}
