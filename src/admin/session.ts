import { createHmac } from 'node:crypto';
import { EncryptJWT, jwtDecrypt, jwtVerify, SignJWT } from 'jose';
import { unixSeconds, type Clock } from '../shared/clock.js';
import { randomToken } from '../shared/secrets.js';
import type { AdminSessionRevocations } from '../db/stores/admin-session-store.js';
import type { PendingSignIn } from './sign-in.js';

/** A signed-in administrator, as carried by the session cookie. */
export interface AdminSession {
  /** Random id of this session (the JWT's `jti`): signing out revokes it server-side. */
  id: string;
  email: string;
  /** Sent back in a hidden field of every form; compared in constant time. */
  csrfToken: string;
  expiresAt: Date;
}

export interface AdminSessions {
  /** Session lifetime in seconds (8 hours). */
  readonly lifetimeSeconds: number;
  issue(email: string): Promise<{ cookie: string; session: AdminSession }>;
  /** The session in `cookie`, or undefined when it is missing, altered or expired. */
  read(cookie: string | undefined): Promise<AdminSession | undefined>;
  /** Ends the session on the server: its cookie is refused from now on, on every replica. */
  end(session: AdminSession): Promise<void>;
  /** Encrypts the sign-in in progress (it holds the PKCE verifier) for a short-lived cookie. */
  sealPending(pending: PendingSignIn): Promise<string>;
  openPending(cookie: string | undefined): Promise<PendingSignIn | undefined>;
}

const sessionAudience = 'tiktok-shop-connect/admin-session';
const pendingAudience = 'tiktok-shop-connect/admin-sign-in';
export const pendingLifetimeSeconds = 600;

/**
 * Admin sessions: an HS256 JWT (jose) in an HttpOnly cookie, checked against the revocations of
 * sessions that signed out (one indexed read per admin request; the console is low traffic). Keys are derived from
 * COOKIE_SECRET with a label, so a session can never be replayed as another cookie of the service.
 *
 * @example
 * const sessions = createAdminSessions(config.cookieSecret, clock);
 * const { cookie } = await sessions.issue('ops@example.com');
 * (await sessions.read(cookie))?.email === 'ops@example.com';
 */
export function createAdminSessions(
  cookieSecret: string,
  clock: Clock,
  revocations: Pick<AdminSessionRevocations, 'revoke' | 'isRevoked'>,
  lifetimeSeconds = 8 * 3600,
): AdminSessions {
  const signingKey = derive(cookieSecret, 'admin session signing');
  const sealingKey = derive(cookieSecret, 'admin sign-in sealing');
  const now = () => clock.now();

  return {
    lifetimeSeconds,
    async issue(email) {
      const issuedAt = unixSeconds(now());
      const session: AdminSession = { id: randomToken(), email, csrfToken: randomToken(), expiresAt: new Date((issuedAt + lifetimeSeconds) * 1000) };
      const cookie = await new SignJWT({ csrf: session.csrfToken })
        .setProtectedHeader({ alg: 'HS256' })
        .setJti(session.id)
        .setSubject(email)
        .setAudience(sessionAudience)
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + lifetimeSeconds)
        .sign(signingKey);
      return { cookie, session };
    },
    async read(cookie) {
      if (!cookie) return undefined;
      let session: AdminSession;
      try {
        const { payload } = await jwtVerify(cookie, signingKey, { algorithms: ['HS256'], audience: sessionAudience, currentDate: now() });
        const { sub, csrf, exp, jti } = payload;
        if (typeof sub !== 'string' || typeof csrf !== 'string' || typeof exp !== 'number' || typeof jti !== 'string') return undefined;
        session = { id: jti, email: sub, csrfToken: csrf, expiresAt: new Date(exp * 1000) };
      } catch {
        return undefined;
      }
      return (await revocations.isRevoked(session.id)) ? undefined : session;
    },
    async end(session) {
      await revocations.revoke(session.id, session.expiresAt);
    },
    async sealPending(pending) {
      const issuedAt = unixSeconds(now());
      return new EncryptJWT({ ...pending })
        .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
        .setAudience(pendingAudience)
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + pendingLifetimeSeconds)
        .encrypt(sealingKey);
    },
    async openPending(cookie) {
      if (!cookie) return undefined;
      try {
        const { payload } = await jwtDecrypt(cookie, sealingKey, { audience: pendingAudience, currentDate: now() });
        const { state, nonce, codeVerifier, returnTo } = payload;
        if (typeof state !== 'string' || typeof nonce !== 'string' || typeof codeVerifier !== 'string' || typeof returnTo !== 'string') {
          return undefined;
        }
        return { state, nonce, codeVerifier, returnTo };
      } catch {
        return undefined;
      }
    },
  };
}

function derive(secret: string, label: string): Uint8Array {
  return new Uint8Array(createHmac('sha256', secret).update(label).digest());
}
