import { describe, expect, it } from 'vitest';
import { catalogs, locales, negotiateLocale, placeholdersOf, translator, type Catalog } from '../../../src/http/views/i18n/index.js';

/** Every key of the reference catalog that `catalog` lacks or adds, and every message whose placeholders differ. */
function catalogFaults(reference: Catalog, catalog: Record<string, string>): string[] {
  const faults: string[] = [];
  for (const key of Object.keys(reference)) {
    if (!(key in catalog)) faults.push(`missing ${key}`);
    else if (catalog[key]!.trim() === '') faults.push(`empty ${key}`);
    else if (placeholdersOf(catalog[key]!).join() !== placeholdersOf(reference[key as keyof Catalog]).join()) faults.push(`placeholders of ${key}`);
  }
  for (const key of Object.keys(catalog)) if (!(key in reference)) faults.push(`unknown ${key}`);
  return faults;
}

describe('message catalogs', () => {
  it.each(locales.filter((locale) => locale !== 'en'))('%s has every English key, with the same placeholders, and no other', (locale) => {
    expect(catalogFaults(catalogs.en, catalogs[locale])).toStrictEqual([]);
  });

  it('finds a catalog that misses a key, adds one or drops a placeholder', () => {
    const { 'status.label': _dropped, ...missing } = catalogs.es;
    expect(catalogFaults(catalogs.en, missing)).toStrictEqual(['missing status.label']);
    expect(catalogFaults(catalogs.en, { ...catalogs.id, 'status.labl': 'x' })).toStrictEqual(['unknown status.labl']);
    expect(catalogFaults(catalogs.en, { ...catalogs.es, 'connect.expires': 'Caduca pronto.' })).toStrictEqual(['placeholders of connect.expires']);
  });

  it('translates with placeholders and formats dates in the language', () => {
    const date = new Date('2026-11-23T10:30:00.000Z');
    expect(translator('en').t('connect.expires', { date: translator('en').dateTime(date) })).toBe(
      'This link works once and expires on 23 November 2026 at 10:30 UTC.',
    );
    expect(translator('es').date(date)).toBe('23 de noviembre de 2026');
    expect(translator('id').date(date)).toBe('23 November 2026');
    expect(translator('id').t('connect.title.new', { app: 'Acme' })).toBe('Hubungkan TikTok Shop Anda ke Acme');
  });
});

describe('negotiateLocale', () => {
  it.each([
    [['es-MX,es;q=0.9,en;q=0.8'], 'es'],
    [['en-US,en;q=0.9'], 'en'],
    [['id-ID,id;q=0.9,en-US;q=0.8'], 'id'],
    [['in'], 'id'],
    [['ja-JP,ja;q=0.9,es;q=0.5'], 'es'],
    [['fr;q=0.9,id;q=0.95'], 'id'],
    [['es;q=0,en'], 'en'],
    [['th-TH'], 'en'],
    [[undefined, 'es-ES'], 'es'],
    [['id_ID', 'es-ES'], 'id'],
    [['ja-JP', 'es-ES'], 'es'],
    [[''], 'en'],
  ] as const)('%j → %s', (preferences, expected) => {
    expect(negotiateLocale(preferences)).toBe(expected);
  });
});
