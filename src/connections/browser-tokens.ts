import { jwtVerify, SignJWT } from 'jose';
import type { Clock } from '../shared/clock.js';
import { unixSeconds } from '../shared/clock.js';

/**
 * Signed values handed to browsers: the OAuth browser binding cookie, the cookie listing the
 * connections a browser connected, and status links. HS256 over COOKIE_SECRET; each kind has its
 * own audience, so one can never stand in for another.
 */
export interface BrowserTokens {
  signBinding(binding: string, ttlSeconds: number): Promise<string>;
  /** The binding inside a valid, unexpired cookie value; undefined otherwise. */
  verifyBinding(value: string | undefined): Promise<string | undefined>;
  signConnections(connectionIds: string[], ttlSeconds: number): Promise<string>;
  /** The connection ids inside a valid cookie value; [] otherwise. */
  verifyConnections(value: string | undefined): Promise<string[]>;
  signStatusLink(connectionId: string, ttlSeconds: number): Promise<string>;
  /** True when `value` is a valid, unexpired status link for this connection. */
  verifyStatusLink(value: string | undefined, connectionId: string): Promise<boolean>;
}

const audiences = {
  binding: 'tsc:oauth-browser-binding',
  connections: 'tsc:merchant-connections',
  statusLink: 'tsc:merchant-status-link',
} as const;

export function createBrowserTokens(options: { secret: string; issuer: string; clock: Clock }): BrowserTokens {
  const key = new TextEncoder().encode(options.secret);
  const { clock, issuer } = options;

  const sign = (claims: Record<string, unknown>, audience: string, ttlSeconds: number, subject?: string) => {
    const now = unixSeconds(clock.now());
    const jwt = new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuer(issuer).setAudience(audience)
      .setIssuedAt(now).setExpirationTime(now + ttlSeconds);
    return (subject ? jwt.setSubject(subject) : jwt).sign(key);
  };
  const verify = async (value: string | undefined, audience: string) => {
    if (!value) return undefined;
    try {
      const { payload } = await jwtVerify(value, key, { algorithms: ['HS256'], issuer, audience, currentDate: clock.now() });
      return payload;
    } catch {
      return undefined;
    }
  };

  return {
    signBinding: (binding, ttl) => sign({ b: binding }, audiences.binding, ttl),
    async verifyBinding(value) {
      const payload = await verify(value, audiences.binding);
      return typeof payload?.b === 'string' ? payload.b : undefined;
    },
    signConnections: (ids, ttl) => sign({ cids: ids }, audiences.connections, ttl),
    async verifyConnections(value) {
      const payload = await verify(value, audiences.connections);
      const ids = payload?.cids;
      return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [];
    },
    signStatusLink: (connectionId, ttl) => sign({}, audiences.statusLink, ttl, connectionId),
    async verifyStatusLink(value, connectionId) {
      const payload = await verify(value, audiences.statusLink);
      return payload?.sub === connectionId;
    },
  };
}
