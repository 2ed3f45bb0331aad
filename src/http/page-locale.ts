import type { Request, Response } from 'express';
import { negotiateLocale, supportedLocale, translator, type Locale } from './views/i18n/index.js';
import type { MerchantContext } from './views/merchant-words.js';

/** Remembers the language TikTok Shop reported on the OAuth callback, for the merchant's later pages. */
export const localeCookie = 'tsc_locale';
const callbackPath = '/oauth/tiktok/callback';

/**
 * The language of a merchant page: TikTok's `locale` on its callback, then the language TikTok
 * reported earlier (a cookie), then `Accept-Language`, then English.
 */
export function pageLocale(req: Request): Locale {
  const tiktok = req.path === callbackPath && typeof req.query.locale === 'string' ? req.query.locale : undefined;
  return negotiateLocale([tiktok, cookieOf(req, localeCookie), req.get('accept-language')]);
}

/** On the callback: keeps TikTok's `locale` (when it is one the pages speak) for a year. */
export function rememberTikTokLocale(req: Request, res: Response, secure: boolean): void {
  const tiktok = typeof req.query.locale === 'string' ? supportedLocale(req.query.locale) : undefined;
  if (!tiktok) return;
  res.cookie(localeCookie, tiktok, { httpOnly: true, sameSite: 'lax', secure, path: '/', maxAge: 365 * 86_400_000 });
}

/** Marks an HTML answer's language, and that it depends on the request's languages. */
export function setContentLanguage(res: Response, locale: Locale): void {
  res.setHeader('Content-Language', locale);
  res.vary('Accept-Language');
}

function cookieOf(req: Request, name: string): string | undefined {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

/** A merchant page's language and app name, with `Content-Language` set on the answer. */
export function merchantContext(req: Request, res: Response, app: string): MerchantContext {
  const locale = pageLocale(req);
  setContentLanguage(res, locale);
  return { t: translator(locale), app };
}
