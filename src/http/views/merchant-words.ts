import { scopeName } from '../../tiktok/index.js';
import { html, type SafeHtml } from './html.js';
import { catalogs, type MessageKey, type Translator } from './i18n/index.js';
import { layout } from './layout.js';

/** What every merchant page needs: the language and the company's app name (APP_DISPLAY_NAME). */
export interface MerchantContext {
  t: Translator;
  app: string;
}

/** The merchant page frame, in the merchant's language, under the app's name. */
export function merchantLayout(title: string, body: SafeHtml, context: MerchantContext): string {
  return layout(title, body, { lang: context.t.locale, brand: context.app, skipText: context.t.t('layout.skip') });
}

function scopeKey(scope: string, part: 'name' | 'description'): MessageKey | undefined {
  const key = `scope.${scope}.${part}`;
  return /^scope\.[\w.]+\.(name|description)$/.test(key) && key in catalogs.en ? (key as MessageKey) : undefined;
}

/** A TikTok permission's name in the merchant's language (Partner Center's English name when not translated). */
export function permissionName(scope: string, t: Translator): string {
  const key = scopeKey(scope, 'name');
  return key ? t.t(key) : scopeName(scope);
}

/** What a permission lets the app do, in the merchant's language. */
export function permissionDescription(scope: string, t: Translator): string {
  const key = scopeKey(scope, 'description');
  return key ? t.t(key) : t.t('scope.other.description', { name: scopeName(scope) });
}

/** `Order Information` or `Order Information or Finance Information`, or a generic phrase. */
export function permissionList(scopes: readonly string[], t: Translator): string {
  if (scopes.length === 0) return t.t('scope.unnamed');
  return scopes.map((scope) => permissionName(scope, t)).reduce((first, second) => t.t('scope.or', { first, second }));
}

/** Permissions as a list of name + what it allows. */
export function permissionItems(scopes: readonly string[], t: Translator): SafeHtml {
  return html`<ul class="permissions">${scopes.map(
    (scope) => html`<li><strong>${permissionName(scope, t)}</strong>: ${permissionDescription(scope, t)}</li>`,
  )}</ul>`;
}

/** Facts for support (codes, ids, TikTok's words), folded away from the merchant's reading. */
export function supportDetails(lines: readonly string[], t: Translator): SafeHtml {
  if (lines.length === 0) return html``;
  return html`<details class="support"><summary>${t.t('details.summary')}</summary><ul>${lines.map((line) => html`<li>${line}</li>`)}</ul></details>`;
}
