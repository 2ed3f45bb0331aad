import { html, type SafeHtml } from './html.js';
import { catalogs, type MessageKey, type Translator } from './i18n/index.js';
import { layout } from './layout.js';
import { merchantLayout, supportDetails } from './merchant-words.js';

export interface ErrorPageModel {
  status: number;
  code: string;
  /** The service's message and hint (English): shown as they are where the catalog has no words for the code. */
  message: string;
  hint: string;
  requestId: string;
  /** The page the error answered, for "Try again" and "Sign in" (GET requests only). */
  retryPath: string | undefined;
  /** Values for the catalog's `{placeholders}` (e.g. the seller names of a mismatch). */
  params?: Record<string, string>;
}

const retryable = new Set(['internal_error', 'not_ready', 'refresh_busy', 'tiktok_unavailable', 'tiktok_bad_response', 'tiktok_rate_limited']);

/** An error as a page: a title that names what happened, what to do, one next-step button, and a reference for support. */
export function errorPage(error: ErrorPageModel, context: { t: Translator; app: string; admin: boolean }): string {
  const { t, app } = context;
  const known = (part: 'title' | 'action'): MessageKey | undefined => {
    const key = `error.${error.code}.${part}`;
    return key in catalogs.en ? (key as MessageKey) : undefined;
  };
  const server = error.status >= 500;
  const titleKey = known('title');
  const actionKey = known('action');
  const title = titleKey ? t.t(titleKey) : t.t(server ? 'error.server.title' : 'error.generic.title');
  const params = { app, ...error.params };
  const button = nextStep(error, context.admin);
  // The console's pages carry the service's name; merchants' pages the company's app.
  const frame = context.admin ? (body: SafeHtml) => layout(title, body) : (body: SafeHtml) => merchantLayout(title, body, { t, app });
  return frame(
    html`<section class="card error" role="alert" aria-labelledby="error-heading">
  <h1 id="error-heading">${title}</h1>
  ${actionKey
    ? html`<p class="lead">${t.t(actionKey, params)}</p>`
    : server
      ? html`<p class="lead">${t.t('error.server.action')}</p>`
      : html`<p class="lead">${error.message}</p><p>${error.hint}</p>`}
  <p><a class="button" href="${button.href}">${t.t(button.label)}</a></p>
  <p><small>${t.t('error.reference', { code: error.code, requestId: error.requestId })}</small></p>
  ${actionKey ? supportDetails([error.message], t) : ''}
</section>`,
  );
}

function nextStep(error: ErrorPageModel, admin: boolean): { href: string; label: MessageKey } {
  if (error.code === 'admin_sign_in_required') {
    const returnTo = error.retryPath && !error.retryPath.startsWith('/admin/callback') ? error.retryPath : '/admin';
    return { href: `/admin/sign-in?returnTo=${encodeURIComponent(returnTo)}`, label: 'error.button.signIn' };
  }
  if (error.code === 'admin_forbidden') return { href: '/admin/sign-in?account=other', label: 'error.button.signInOther' };
  if (retryable.has(error.code) && error.retryPath) return { href: error.retryPath, label: 'error.button.retry' };
  if (admin) return { href: '/admin', label: 'error.button.console' };
  return { href: '/', label: 'error.button.home' };
}
