import { z } from 'zod';
import { connectionStatuses } from './statuses.js';

/**
 * The connection events other systems read (`GET /v1/events`, and pushed to subscribers): one closed
 * union, one zod schema per type. Every event carries the connection it is about and when it happened;
 * the lifecycle store adds the connection's `openId`, `merchantRef`, `status` and `previousStatus`
 * from the row it changed, so a payload always describes the connection as that statement left it.
 */

const connectionStatus = z.enum(connectionStatuses);
/** The kinds of problem a person must fix on a connection (ProblemKind of ../model.ts). */
const problemKind = z.enum(['scope_missing']);

const base = {
  connectionId: z.string(),
  openId: z.string(),
  merchantRef: z.string().nullable(),
  status: connectionStatus,
  occurredAt: z.iso.datetime(),
};
const statusChange = { ...base, previousStatus: connectionStatus, reason: z.string().nullable() };
const admin = z.object({ type: z.literal('admin'), email: z.string() });
const grant = {
  sellerName: z.string(),
  shopIds: z.array(z.string()),
  removedShopIds: z.array(z.string()),
  grantedScopes: z.array(z.string()).nullable().describe('null: TikTok did not list the granted scopes (unknown, not none)'),
};

export const connectionEventSchemas = {
  'connection.created': z.object({ ...base, ...grant })
    .describe('A merchant connected a seller account for the first time.'),
  'connection.reauthorized': z.object({ ...base, ...grant, previousStatus: connectionStatus })
    .describe('A merchant authorized an already connected seller account again: new tokens, shops and scopes.'),
  'connection.needs_reauth': z.object({ ...statusChange, cause: z.enum(['refresh', 'api_call', 'sweeper']) })
    .describe('TikTok no longer accepts the grant (refresh refused, or an API call refused for good), or the access token of a `refresh_lost` connection expired (sweeper): the merchant must re-authorize.'),
  'connection.refresh_lost': z
    .object({
      ...statusChange,
      cause: z.enum(['refresh']),
      accessTokenExpiresAt: z.iso.datetime().describe('Until then the connection keeps working; the merchant must re-authorize before'),
    })
    .describe('A refresh whose answer was lost rotated the refresh token away: the connection keeps working until its access token expires; the merchant must re-authorize before then.'),
  'connection.expired': z.object({ ...statusChange, cause: z.enum(['refresh', 'api_call', 'sweeper']) })
    .describe("The seller authorization ended (its refresh token's lifetime ran out): the merchant must re-authorize."),
  'connection.deauthorized': z.object({ ...statusChange, by: z.enum(['seller', 'creator']), webhookType: z.number().int() })
    .describe('TikTok told us (webhook) that the seller or creator removed the app: the merchant must re-authorize.'),
  'connection.suspended': z.object({ ...statusChange, by: admin })
    .describe('An administrator suspended the connection: it gives out no tokens until resumed.'),
  'connection.resumed': z.object({ ...statusChange, by: admin })
    .describe('An administrator lifted a suspension.'),
  'connection.revoked': z.object({ ...statusChange, by: admin })
    .describe('An administrator revoked the connection for good: the merchant must connect again.'),
  'connection.shops_changed': z
    .object({
      ...base,
      shopIds: z.array(z.string()).describe('The shops the authorization covers now'),
      addedShopIds: z.array(z.string()),
      removedShopIds: z.array(z.string()),
      trigger: z.enum(['refresh', 'api_call', 'operator']).describe('What fetched the list: a token refresh, a call TikTok refused for the shop, or an operator'),
    })
    .describe("TikTok's list of the seller's authorized shops changed after the authorization: added shops can be used now, removed ones get no tokens."),
  'authorization.expiring': z.object({ ...base, expiresAt: z.iso.datetime(), daysBefore: z.number().int(), source: z.enum(['sweep', 'webhook']) })
    .describe('The seller authorization ends soon (sent 30, 7 and 1 days before): ask the merchant to re-authorize.'),
  'connection.scope_problem': z
    .object({
      ...base,
      problemId: z.string(),
      kind: problemKind,
      apiPath: z.string().describe('The endpoint as a template (ids replaced by {id}), e.g. /finance/202309/statements'),
      scopeKeys: z.array(z.string()).describe('The scopes that would allow it; empty when neither TikTok nor the scope table says'),
      tiktokCode: z.number().int().nullable(),
      tiktokMessage: z.string().nullable(),
    })
    .describe('TikTok refused a call for lack of a scope (105005): a problem opened on the connection. Sent when it opens, not for each refused call while it stays open.'),
  'connection.problem_resolved': z
    .object({
      ...base,
      problemId: z.string(),
      kind: problemKind,
      apiPath: z.string(),
      scopeKeys: z.array(z.string()),
      resolution: z.string().describe('How it closed: scope_granted, reauthorized, refresh_succeeded, or "a later call succeeded"'),
    })
    .describe('A problem of the connection was resolved: the scope was granted, the merchant re-authorized, or a later call succeeded.'),
  'connection.refresh_failed': z
    .object({
      ...base,
      failureClass: z.enum(['transient', 'error']).describe('transient: TikTok unavailable, slow, rate limiting or answering nonsense; error: our side (database, decryption)'),
      error: z.string(),
      tiktokCode: z.number().int().nullable(),
      nextAttemptAt: z.iso.datetime().describe('When the refresh is tried again'),
      accessTokenExpiresAt: z.iso.datetime().describe('The current access token is served until then'),
    })
    .describe('A token refresh failed for a reason expected to pass; the tokens are kept and the refresh retried with backoff. Sent once per failure streak (the first failure after a success), not for each retry; a grant found dead sends connection.needs_reauth or connection.expired instead.'),
  'connection.refresh_requested': z
    .object({ ...base, by: admin, outcome: z.enum(['refreshed', 'failed']), code: z.string().optional() })
    .describe('An administrator asked for a token refresh now, and how it went.'),
} as const;

export type ConnectionEventType = keyof typeof connectionEventSchemas;
export const connectionEventTypes = Object.keys(connectionEventSchemas) as ConnectionEventType[];

/** One event as it is stored and read: the closed union of every type with its payload. */
export type ConnectionEvent = {
  [T in ConnectionEventType]: { type: T; payload: z.infer<(typeof connectionEventSchemas)[T]> };
}[ConnectionEventType];

/** The fields of a payload the lifecycle store fills in from the row it wrote. */
export type RowFacts = 'connectionId' | 'openId' | 'merchantRef' | 'status' | 'previousStatus';

/** What a writer says of an event: everything but the facts the row itself supplies. */
export type EventDetails<T extends ConnectionEventType> = Omit<z.infer<(typeof connectionEventSchemas)[T]>, RowFacts>;

/** Parses a stored event, so a reader gets the union, not `unknown`. Throws on a payload that breaks its schema. */
export function parseConnectionEvent(type: string, payload: unknown): ConnectionEvent {
  if (!(type in connectionEventSchemas)) throw new Error(`Unknown connection event type "${type}".`);
  const schema = connectionEventSchemas[type as ConnectionEventType];
  return { type, payload: schema.parse(payload) } as ConnectionEvent;
}
