import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { ApiPrincipal, KeyVerifier } from '../../apps/key-verifier.js';
import type { ApiScope } from '../../apps/scopes.js';
import { ApiKeyMalformed, ApiKeyMissing, ScopeForbidden, ShopForbidden } from '../../shared/errors.js';

declare module 'express-serve-static-core' {
  interface Request {
    /** The API client behind the request's key (set by requireApiKey). */
    apiClient?: ApiPrincipal;
  }
}

export interface ApiKeyGuard {
  /** Authenticates the key (X-API-Key or Authorization: Bearer, never the query) and requires `scope`. */
  requireApiKey(scope: ApiScope): RequestHandler;
  /** 403 shop_forbidden when the key is limited to other shops than `:shopId`. */
  requireShopAccess: RequestHandler;
}

/** Builds the API-key middleware around a verifier (which caches verified keys for a few seconds). */
export function apiKeyGuard(verifier: KeyVerifier): ApiKeyGuard {
  return {
    requireApiKey(scope) {
      const admit = (req: Request, client: ApiPrincipal, next: NextFunction): void => {
        // Known before the scope check, so a scope_forbidden refusal is audited with the client.
        req.apiClient = client;
        if (!client.scopes.has(scope)) throw new ScopeForbidden(scope);
        next();
      };
      return function requireApiKey(req: Request, _res: Response, next: NextFunction): void | Promise<void> {
        const verified = verifier.verify(presentedKey(req));
        // A key verified within the cache TTL is answered at once: no promise on the hot path.
        if (!(verified instanceof Promise)) return admit(req, verified, next);
        return verified.then((client) => admit(req, client, next));
      };
    },
    requireShopAccess(req: Request, _res: Response, next: NextFunction): void {
      const shopId = req.params.shopId;
      const allowed = req.apiClient?.shopIds;
      if (typeof shopId === 'string' && allowed !== undefined && !allowed.has(shopId)) throw new ShopForbidden(shopId);
      next();
    },
  };
}

const useOneOf = 'Send the key as `X-API-Key: <key>` or `Authorization: Bearer <key>`.';

/** The key from the headers, or the precise reason the headers are wrong. */
export function presentedKey(req: Request): string {
  const fromHeader = req.headers['x-api-key'];
  const authorization = req.headers.authorization;
  const xApiKey = Array.isArray(fromHeader) ? fromHeader.join(',') : fromHeader;
  if (xApiKey === undefined && authorization === undefined) {
    const inQuery = Object.keys(req.query).some((name) => /^(api[_-]?key|key|token|access_token)$/i.test(name));
    throw new ApiKeyMissing(
      'No API key was sent.',
      inQuery ? { hint: `Keys in the URL are never accepted (URLs end up in logs). ${useOneOf}` } : undefined,
    );
  }
  const keys: string[] = [];
  if (xApiKey !== undefined) keys.push(checked(xApiKey, 'X-API-Key'));
  if (authorization !== undefined) keys.push(checked(bearer(authorization), 'Authorization'));
  if (keys.length === 2 && keys[0] !== keys[1]) {
    throw new ApiKeyMalformed('X-API-Key and Authorization carry different keys.', {
      hint: 'Send the key in one header only (X-API-Key or Authorization: Bearer), or the same key in both.',
    });
  }
  return keys[0]!;
}

function bearer(value: string): string {
  const match = /^(\S+)(\s+)([\s\S]*)$/.exec(value);
  if (!match) {
    if (value === '') throw new ApiKeyMalformed('The Authorization header is empty.', { hint: useOneOf });
    if (/^bearer$/i.test(value)) throw new ApiKeyMalformed('Authorization: Bearer carries no key.', { hint: 'Put the key after "Bearer ": `Authorization: Bearer <key>`.' });
    throw new ApiKeyMalformed('The Authorization header has no "Bearer " scheme.', {
      hint: 'Write `Authorization: Bearer <key>` (the word Bearer, one space, then the key), not `Authorization: <key>`; or use `X-API-Key: <key>`.',
    });
  }
  const [, scheme, space, rest] = match as unknown as [string, string, string, string];
  if (/^bearer:$/i.test(scheme)) {
    throw new ApiKeyMalformed('The Authorization header has a colon after "Bearer".', {
      hint: 'Write `Authorization: Bearer <key>`: the word Bearer, one space, then the key (no colon).',
    });
  }
  if (!/^bearer$/i.test(scheme)) {
    // Named back only when it reads like a scheme (Basic, Token): never a piece of a key.
    const named = /^[A-Za-z][A-Za-z-]{0,19}$/.test(scheme) ? `the "${scheme}" scheme` : scheme.startsWith('tsc_') ? 'the key in place of a scheme' : 'an unknown scheme';
    throw new ApiKeyMalformed(`The Authorization header uses ${named}.`, {
      hint: `Only Bearer is accepted: \`Authorization: Bearer <key>\`, or \`X-API-Key: <key>\`.`,
    });
  }
  if (space !== ' ') throw strayWhitespace('Authorization');
  return rest;
}

function checked(value: string, header: 'X-API-Key' | 'Authorization'): string {
  if (value === '') throw new ApiKeyMalformed(`The ${header} header carries no key.`, { hint: useOneOf });
  if (/^(["'`]).*\1$/s.test(value) || /^["'`]|["'`]$/.test(value)) {
    throw new ApiKeyMalformed(`The key in ${header} is wrapped in quotes.`, { hint: 'Send the key without quotation marks around it.' });
  }
  if (header === 'X-API-Key' && /^bearer(\s|$)/i.test(value)) {
    throw new ApiKeyMalformed('The X-API-Key header starts with "Bearer".', {
      hint: 'X-API-Key takes the bare key: `X-API-Key: <key>`. The Bearer scheme belongs in the other header: `Authorization: Bearer <key>`.',
    });
  }
  if (header === 'X-API-Key' && /^x-api-key\s*:/i.test(value)) {
    throw new ApiKeyMalformed('The X-API-Key header value repeats the header name.', {
      hint: 'Put only the key in the value: the header is `X-API-Key`, its value `<key>`.',
    });
  }
  // Repeated headers arrive joined with ", "; a key never contains a comma.
  if (value.includes(',')) {
    throw new ApiKeyMalformed(`The ${header} header carries more than one value.`, {
      hint: `Send one ${header} header with one key.`,
    });
  }
  if (/\s/.test(value)) throw strayWhitespace(header);
  return value;
}

function strayWhitespace(header: 'X-API-Key' | 'Authorization'): ApiKeyMalformed {
  return new ApiKeyMalformed(`The ${header} header has stray whitespace around or inside the key.`, {
    hint:
      header === 'Authorization'
        ? 'Write `Authorization: Bearer <key>` with exactly one space after "Bearer", and the key as one unbroken token (copy it without spaces or line breaks).'
        : 'Send the key as one unbroken token, nothing else in the header (copy it without spaces or line breaks).',
  });
}
