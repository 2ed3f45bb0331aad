import { performance } from 'node:perf_hooks';
import type { AuditLog } from '../db/audit-log.js';
import { ScopeMissing } from '../shared/errors.js';
import { missingScopes, requiredScopesFor, scopeName, type ApiClient, type ApiRequest, type PreparedRequest, type RequiredScopes } from '../tiktok/index.js';
import { TikTokTokenExpired } from '../tiktok/errors.js';
import { audited } from './audited.js';
import type { CallContext, ScopeProblems } from './ports.js';
import type { ShopCredentialSource } from './shop-credentials.js';

export interface ShopToken {
  shopId: string;
  shopCipher: string;
  accessToken: string;
  expiresAt: string;
  grantedScopes: string[];
}

export type SignInput = Pick<ApiRequest, 'method' | 'path' | 'query' | 'body'>;
export type ProxyInput = SignInput;

export interface ProxyResult {
  status: number;
  body: unknown;
  requestId: string | undefined;
  /** Time spent waiting for TikTok (all attempts), in milliseconds. */
  tiktokMs: number;
  /** Time spent reading the shop's credentials (the indexed read and decryption), in milliseconds. */
  credentialsMs: number;
}

/** The credential use cases of internal apps: read a token, sign a request, make a signed call. */
export interface ShopCalls {
  readToken(context: CallContext, shopId: string): Promise<ShopToken>;
  sign(context: CallContext, shopId: string, request: SignInput): Promise<Omit<PreparedRequest, 'method'>>;
  /**
   * Calls TikTok for the shop. Answers {@link ScopeMissing} without calling when the endpoint's
   * documented scope is not granted, and after TikTok's 105005; both open a problem on the
   * connection, which the next successful call to the path closes. On 105002 it refreshes once
   * and retries once.
   */
  proxy(context: CallContext, shopId: string, request: ProxyInput): Promise<ProxyResult>;
}

export function createShopCalls(deps: {
  credentials: ShopCredentialSource;
  api: Pick<ApiClient, 'prepare' | 'call'>;
  problems: ScopeProblems;
  audit: AuditLog;
}): ShopCalls {
  const { credentials, api, problems, audit } = deps;

  async function scopeMissing(connectionId: string, error: ScopeMissing, problemPath: string): Promise<never> {
    await problems.recordScopeMissing({
      connectionId,
      apiPath: problemPath,
      scopeKeys: error.scopeKeys,
      tiktokCode: error.tiktok?.code ?? null,
      tiktokMessage: error.tiktok?.message ?? null,
    });
    throw error;
  }

  return {
    readToken(context, shopId) {
      return audited(audit, { action: 'token.read', context, shopId, detail: { route: 'GET /v1/shops/:shopId/token' } }, async (note) => {
        const found = await credentials.forShop(shopId);
        note({ connectionId: found.connectionId });
        return {
          shopId,
          shopCipher: found.shopCipher,
          accessToken: found.accessToken,
          expiresAt: found.accessTokenExpiresAt.toISOString(),
          grantedScopes: found.grantedScopes,
        };
      });
    },

    sign(context, shopId, request) {
      const detail = { route: 'POST /v1/shops/:shopId/sign', method: request.method.toUpperCase(), path: request.path };
      return audited(audit, { action: 'sign', context, shopId, detail }, async (note) => {
        const found = await credentials.forShop(shopId);
        note({ connectionId: found.connectionId });
        const required = requiredScopesFor(request.method, request.path);
        const { method: _method, ...prepared } = api.prepare({ ...request, ...cipherAndToken(required, found) });
        return prepared;
      });
    },

    proxy(context, shopId, request) {
      const method = request.method.toUpperCase();
      const detail = { route: `${method} /v1/shops/:shopId/proxy/*path`, method, path: request.path };
      return audited(audit, { action: 'proxy', context, shopId, detail }, async (note) => {
        const readStarted = performance.now();
        let found = await credentials.forShop(shopId, { withProblems: true });
        const credentialsMs = performance.now() - readStarted;
        note({ connectionId: found.connectionId });
        const required = requiredScopesFor(method, request.path);
        const problemPath = required?.pathTemplate ?? request.path;
        const lacking = required ? missingScopes(required.scopeKeys, found.grantedScopes) : [];
        if (lacking.length > 0) {
          const names = lacking.map(scopeName).join(' or ');
          await scopeMissing(
            found.connectionId,
            new ScopeMissing(`This shop's authorization does not grant ${names}, which ${method} ${request.path} needs; TikTok was not called.`, problemPath, lacking),
            problemPath,
          );
        }
        let tiktokMs = 0;
        const send = async () => {
          const started = performance.now();
          try {
            return await api.call({ ...request, method, ...cipherAndToken(required, found) });
          } finally {
            tiktokMs += performance.now() - started;
          }
        };
        let response;
        try {
          try {
            response = await send();
          } catch (error) {
            if (!(error instanceof TikTokTokenExpired)) throw error;
            found = await credentials.forShop(shopId, { force: true, withProblems: found.hasOpenProblems });
            response = await send();
          }
        } catch (error) {
          if (error instanceof ScopeMissing) await scopeMissing(found.connectionId, error, problemPath);
          throw error;
        }
        if (found.hasOpenProblems) await problems.resolve(found.connectionId, problemPath, 'a later call succeeded');
        note({ detail: { tiktokStatus: response.status } });
        return { status: response.status, body: response.body, requestId: response.requestId, tiktokMs, credentialsMs };
      });
    },
  };
}

/** Shop-scoped calls carry the cipher unless TikTok documents the endpoint as taking none. */
function cipherAndToken(required: RequiredScopes | undefined, found: { accessToken: string; shopCipher: string }) {
  const takesCipher = required?.requiresShopCipher !== false;
  return { accessToken: found.accessToken, ...(takesCipher ? { shopCipher: found.shopCipher } : {}) };
}
