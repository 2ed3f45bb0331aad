import express, { Router, type Request, type Response } from 'express';
import type { Clock } from '../shared/clock.js';
import { constantTimeEqual } from '../shared/secrets.js';
import { issueAuthCode } from './grants.js';
import { scopeName } from './scope-catalog.js';
import type { SimulatorState } from './state.js';
import type { SimulatedSeller } from './types.js';

interface AuthorizeDeps {
  appKey: string;
  serviceId: string;
  redirectUrl: string;
  label: string | undefined;
  clock: Clock;
  state: SimulatorState;
}

/**
 * The seller-facing page of `services.tiktokshop.com/open/authorize`. Plain HTML forms, no script:
 * pick a seller, untick scopes to withhold them, Approve or Deny. `GET /app-store` is the app's
 * TikTok Shop App Store listing: its "Install from the App Store" button authorizes with no `state`,
 * as TikTok's App Store install does.
 */
export function authorizePage(deps: AuthorizeDeps): Router {
  const router = Router();

  router.get('/open/authorize', (req, res) => {
    const serviceId = stringParam(req.query.service_id);
    if (!constantTimeEqual(serviceId, deps.serviceId)) return invalidLink(res, deps);
    res.type('html').send(renderPage(req, deps, stringParam(req.query.state)));
  });

  router.get('/app-store', (req, res) => {
    res.type('html').send(renderAppStorePage(req, deps));
  });

  router.post('/open/authorize', express.urlencoded({ extended: false }), (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (!constantTimeEqual(stringParam(body.service_id), deps.serviceId)) return invalidLink(res, deps);
    const state = typeof body.state === 'string' && body.state !== '' ? body.state : undefined;
    const target = new URL(deps.redirectUrl);
    if (body.decision !== 'approve') {
      target.searchParams.set('error', 'access_denied');
      target.searchParams.set('code', 'null');
      if (state !== undefined) target.searchParams.set('state', state);
      return res.redirect(302, target.href);
    }
    const seller = deps.state.sellers.get(stringParam(body.open_id));
    if (seller === undefined) {
      return res.status(400).type('html').send(renderPage(req, deps, state ?? '', 'Choose a seller account to authorize.'));
    }
    // Sellers approve the app's whole scope list or nothing (strict); the lax page lets them untick scopes.
    const posted = Array.isArray(body.scope) ? body.scope.map(String) : typeof body.scope === 'string' ? [body.scope] : [];
    const scopes = deps.state.settings.strict.allOrNothingScopes ? undefined : posted;
    const code = issueAuthCode(deps.state, deps.clock, seller.openId, scopes);
    target.searchParams.set('app_key', deps.appKey);
    target.searchParams.set('code', code);
    target.searchParams.set('locale', 'en');
    target.searchParams.set('shop_region', seller.shops[0]?.region ?? seller.baseRegion);
    if (state !== undefined) target.searchParams.set('state', state);
    res.redirect(302, target.href);
  });

  return router;
}

function stringParam(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function invalidLink(res: Response, deps: AuthorizeDeps): void {
  res.status(400).type('html').send(layout(deps, 'Authorization failed',
    `<h2>Authorization failed</h2>
    <p role="alert">This authorization link is invalid: the service_id does not match any app. Please contact the app developer for a new link.</p>`));
}

function renderPage(req: Request, deps: AuthorizeDeps, state: string, problem?: string): string {
  const sellers = [...deps.state.sellers.values()];
  const scopes = deps.state.settings.appScopes;
  return layout(deps, 'Authorize app', `
  <form method="post" action="${escapeHtml(`${req.baseUrl}/open/authorize`)}">
    <input type="hidden" name="service_id" value="${escapeHtml(deps.serviceId)}">
    ${state === '' ? '' : `<input type="hidden" name="state" value="${escapeHtml(state)}">`}
    ${problem === undefined ? '' : `<p role="alert">${escapeHtml(problem)}</p>`}
    <fieldset>
      <legend>Which test seller is authorizing?</legend>
      ${sellers.map((seller, index) => sellerOption(seller, index === 0)).join('\n      ')}
    </fieldset>
    ${deps.state.settings.strict.allOrNothingScopes ? allScopes(scopes) : choosableScopes(scopes)}
    <button type="submit" name="decision" value="approve">Approve</button>
    <button type="submit" name="decision" value="deny">Deny</button>
  </form>`);
}

/** The App Store listing: installing authorizes the app for the chosen seller, with no state. */
function renderAppStorePage(req: Request, deps: AuthorizeDeps): string {
  const sellers = [...deps.state.sellers.values()];
  return layout(deps, 'TikTok Shop App Store', `
  <p>A seller found this app in the TikTok Shop App Store. Installing it sends the seller to the app's redirect URL with a code and <strong>no state</strong>.</p>
  <form method="post" action="${escapeHtml(`${req.baseUrl}/open/authorize`)}">
    <input type="hidden" name="service_id" value="${escapeHtml(deps.serviceId)}">
    <fieldset>
      <legend>Which test seller is installing?</legend>
      ${sellers.map((seller, index) => sellerOption(seller, index === 0)).join('\n      ')}
    </fieldset>
    ${allScopes(deps.state.settings.appScopes)}
    <button type="submit" name="decision" value="approve">Install from the App Store</button>
  </form>`);
}

/** As on TikTok: the seller approves every permission the app requests, or denies. */
function allScopes(scopes: readonly string[]): string {
  return `<section aria-labelledby="permissions">
      <h2 id="permissions">Permissions requested by the app (approve all, or deny)</h2>
      <ul>
      ${scopes.map((scope) => `<li>${escapeHtml(scopeName(scope))} <code>${escapeHtml(scope)}</code></li>`).join('\n      ')}
      </ul>
    </section>`;
}

/** The lax simulator (strict `allOrNothingScopes` off): scopes can be unticked to withhold them. */
function choosableScopes(scopes: readonly string[]): string {
  return `<fieldset>
      <legend>Permissions requested by the app (untick to withhold)</legend>
      ${scopes.map((scope) => `<div><input type="checkbox" id="scope-${escapeHtml(scope)}" name="scope" value="${escapeHtml(scope)}" checked>
        <label for="scope-${escapeHtml(scope)}">${escapeHtml(scopeName(scope))} <code>${escapeHtml(scope)}</code></label></div>`).join('\n      ')}
    </fieldset>`;
}

function sellerOption(seller: SimulatedSeller, checked: boolean): string {
  const id = `seller-${escapeHtml(seller.openId)}`;
  const shops = seller.shops.map((shop) => `${shop.name} (${shop.region})`).join(', ');
  return `<div><input type="radio" id="${id}" name="open_id" value="${escapeHtml(seller.openId)}"${checked ? ' checked' : ''}>
        <label for="${id}">${escapeHtml(seller.name)}, ${escapeHtml(seller.sellerType)}, shops: ${escapeHtml(shops)}</label></div>`;
}

function layout(deps: AuthorizeDeps, title: string, main: string): string {
  const label = deps.label === undefined ? '' : ` (${escapeHtml(deps.label)})`;
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}: TikTok Shop simulator</title></head>
<body>
<header><p><strong>TikTok Shop simulator — not the real TikTok</strong>${label}</p></header>
<main>
  <h1>${escapeHtml(title)}</h1>
  ${main}
</main>
</body>
</html>`;
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] ?? char);
}
