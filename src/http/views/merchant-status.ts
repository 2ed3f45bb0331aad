import type { MerchantStatusModel } from '../../connections/index.js';
import { html } from './html.js';
import { layout } from './layout.js';
import { formatDate } from './merchant-dates.js';

/** `GET /merchant/connections/:id`: the connection in plain words. Never shows a token. */
export function merchantStatusPage(model: MerchantStatusModel, reauthorize: { action: string; sig: string | undefined }): string {
  const toneClass = `status status-${model.tone}`;
  return layout(
    `${model.sellerName}: connection status`,
    html`<section class="card" aria-labelledby="status-heading">
  <h1 id="status-heading">${model.sellerName}</h1>
  <p>Status: <span class="${toneClass}">${model.statusLabel}</span></p>
  <p>${model.statusExplanation}</p>
</section>
<section class="card" aria-labelledby="shops-heading">
  <h2 id="shops-heading">Connected shops</h2>
  ${model.shops.length === 0
    ? html`<p>No shops are connected through this authorization.</p>`
    : html`<table>
    <caption class="muted">Shops the app can work with</caption>
    <thead><tr><th scope="col">Shop</th><th scope="col">Region</th></tr></thead>
    <tbody>
      ${model.shops.map((shop) => html`<tr><td>${shop.name}</td><td>${shop.region}</td></tr>`)}
    </tbody>
  </table>`}
  ${model.removedShops.length === 0
    ? ''
    : html`<h3>No longer connected</h3>
  <ul>${model.removedShops.map((shop) => html`<li>${shop.name} (${shop.region})</li>`)}</ul>`}
</section>
<section class="card" aria-labelledby="permissions-heading">
  <h2 id="permissions-heading">Permissions</h2>
  ${model.granted === null
    ? html`<p>Scopes unknown: TikTok Shop did not say which permissions you granted. The app works with what TikTok allows.</p>`
    : html`<ul>${model.granted.map((access) => html`<li>${access.name}</li>`)}</ul>`}
</section>
<section class="card" aria-labelledby="access-heading">
  <h2 id="access-heading">When access ends</h2>
  <p>Access ends on <time datetime="${model.accessEndsAt.toISOString()}">${formatDate(model.accessEndsAt)}</time>.</p>
  ${model.expiryWarning ? html`<p class="problem" role="alert">${model.expiryWarning}</p>` : ''}
</section>
<section class="card" aria-labelledby="problems-heading">
  <h2 id="problems-heading">Problems</h2>
  ${model.problems.length === 0
    ? html`<p>No problems.</p>`
    : model.problems.map(
        (problem) => html`<div class="problem" role="alert">
    <h3>${problem.title}</h3>
    <p>${problem.explanation}</p>
    <p><strong>What to do:</strong> ${problem.whatToDo}</p>
  </div>`,
      )}
</section>
<section class="card" aria-labelledby="reauth-heading">
  <h2 id="reauth-heading">Re-authorize</h2>
  <p>Approve the app again on TikTok Shop to renew access, grant new permissions or fix a problem above.</p>
  <form method="post" action="${reauthorize.action}">
    ${reauthorize.sig ? html`<input type="hidden" name="sig" value="${reauthorize.sig}">` : ''}
    <button type="submit">Re-authorize on TikTok Shop</button>
  </form>
</section>`,
  );
}
