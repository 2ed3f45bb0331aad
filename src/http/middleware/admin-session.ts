import cookieParser from 'cookie-parser';
import type { CookieOptions, NextFunction, Request, RequestHandler, Response } from 'express';
import type { AdminConsole } from '../../admin/admin-console.js';
import type { AdminSession } from '../../admin/session.js';
import { AdminForbidden, AdminSignInRequired } from '../../shared/errors.js';
import { constantTimeEqual } from '../../shared/secrets.js';

declare module 'express-serve-static-core' {
  interface Request {
    /** The signed-in administrator, set by `requireAdmin`. */
    admin?: AdminSession;
  }
}

export const sessionCookie = 'tsc_admin';
export const pendingCookie = 'tsc_admin_sign_in';

/** HttpOnly, SameSite=Lax (the identity provider's redirect back is a top-level GET), Secure on https. */
export function adminCookieOptions(admin: Pick<AdminConsole, 'secureCookies'>, maxAgeSeconds?: number): CookieOptions {
  return {
    httpOnly: true,
    sameSite: 'lax',
    secure: admin.secureCookies,
    path: '/admin',
    ...(maxAgeSeconds === undefined ? {} : { maxAge: maxAgeSeconds * 1000 }),
  };
}

const parseCookies = cookieParser();

/** Admin pages are personal and change with every action: never cached. */
export function noStore(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('Cache-Control', 'no-store');
  next();
}

/**
 * Lets a signed-in, still-admitted administrator through. Others: pages (GET) are redirected to
 * sign-in and come back afterwards; JSON callers and form posts get 401 admin_sign_in_required.
 */
export function requireAdmin(admin: Pick<AdminConsole, 'sessions' | 'admission'>): RequestHandler[] {
  return [
    parseCookies,
    noStore,
    async function checkAdminSession(req: Request, res: Response, next: NextFunction) {
      const session = await admin.sessions.read((req.cookies as Record<string, string> | undefined)?.[sessionCookie]);
      if (session) {
        // ADMIN_EMAILS may have shrunk since the session began.
        if (!admin.admission.allows(session.email)) throw new AdminForbidden(`${session.email} may not use the admin console.`);
        req.admin = session;
        next();
        return;
      }
      if (req.method === 'GET' && req.accepts(['html', 'json']) === 'html') {
        res.redirect(303, `/admin/sign-in?${new URLSearchParams({ returnTo: req.originalUrl }).toString()}`);
        return;
      }
      throw new AdminSignInRequired('Sign in to use the admin console.');
    },
  ];
}

/** Every admin form carries the session's CSRF token in `_csrf`; compared in constant time. */
export function requireCsrf(req: Request, _res: Response, next: NextFunction): void {
  const sent = (req.body as Record<string, unknown> | undefined)?._csrf;
  if (!req.admin || typeof sent !== 'string' || !constantTimeEqual(sent, req.admin.csrfToken)) {
    throw new AdminForbidden('This form could not be verified (its security token is missing or wrong); nothing was changed.', {
      hint: 'Reload the page and submit the form again.',
    });
  }
  next();
}

export { parseCookies };
