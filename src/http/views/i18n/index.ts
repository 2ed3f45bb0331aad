import { en, type Catalog, type MessageKey } from './en.js';
import { es } from './es.js';
import { id } from './id.js';

export type { Catalog, MessageKey } from './en.js';

/** Languages merchant pages speak; English is complete and the fallback. */
export const locales = ['en', 'es', 'id'] as const;
export type Locale = (typeof locales)[number];

export const catalogs: Record<Locale, Catalog> = { en, es, id };

/** The `{name}` placeholders of a message, for the catalog test. */
export function placeholdersOf(message: string): string[] {
  return [...message.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!).sort();
}

/** Translates keys of one catalog; `{name}` placeholders are filled from `params` (still plain text, escaped by `html`). */
export interface Translator {
  locale: Locale;
  t(key: MessageKey, params?: Record<string, string | number>): string;
  /** `23 November 2026` in the locale (UTC). */
  date(value: Date): string;
  /** `23 November 2026, 10:30 UTC` in the locale. */
  dateTime(value: Date): string;
}

export function translator(locale: Locale): Translator {
  const catalog = catalogs[locale];
  // English dates day first (`23 November 2026`): most sellers outside the US read them so.
  const tag = locale === 'en' ? 'en-GB' : locale;
  const dateFormat = new Intl.DateTimeFormat(tag, { dateStyle: 'long', timeZone: 'UTC' });
  const dateTimeFormat = new Intl.DateTimeFormat(tag, { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' });
  return {
    locale,
    t: (key, params = {}) => catalog[key].replace(/\{(\w+)\}/g, (all, name: string) => (name in params ? String(params[name]) : all)),
    date: (value) => dateFormat.format(value),
    dateTime: (value) => `${dateTimeFormat.format(value)} UTC`,
  };
}

/**
 * The best supported language for a list of preferences, most preferred first: each an
 * `Accept-Language` entry or TikTok's `locale` (`es-MX`, `id_ID`, `in`). Matches by primary
 * subtag; `in` is the old code for Indonesian.
 *
 * @example
 * negotiateLocale(['es-MX,es;q=0.9,en;q=0.8']) // 'es'
 * negotiateLocale([undefined, 'ja-JP,ja;q=0.9']) // 'en'
 */
export function negotiateLocale(preferences: readonly (string | undefined)[]): Locale {
  for (const preference of preferences) {
    if (!preference) continue;
    const ranked = preference
      .split(',')
      .map((part, index) => {
        const [tag = '', ...params] = part.trim().split(';');
        const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
        return { tag: tag.trim(), q: q ? Number(q.slice(2)) : 1, index };
      })
      .filter((entry) => entry.tag !== '' && Number.isFinite(entry.q) && entry.q > 0)
      .sort((a, b) => b.q - a.q || a.index - b.index);
    for (const { tag } of ranked) {
      const found = supportedLocale(tag);
      if (found) return found;
    }
  }
  return 'en';
}

/** The supported language of one tag (`es-MX`, `id_ID`, `in`), if any. */
export function supportedLocale(tag: string): Locale | undefined {
  const primary = tag.trim().toLowerCase().split(/[-_]/)[0];
  return locales.find((locale) => locale === (primary === 'in' ? 'id' : primary));
}
