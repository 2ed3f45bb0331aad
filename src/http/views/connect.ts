import type { ConnectPageModel } from '../../connections/index.js';
import { html } from './html.js';
import { layout } from './layout.js';
import { formatDateTime } from './merchant-dates.js';

/** `GET /connect/:token`: who asks, for what, and the one button. Works without JavaScript. */
export function connectPage(model: ConnectPageModel, formAction: string): string {
  const heading = model.reauthorization ? 'Re-authorize your TikTok Shop' : 'Connect your TikTok Shop';
  return layout(
    heading,
    html`<section class="card" aria-labelledby="connect-heading">
  <h1 id="connect-heading">${heading}</h1>
  <dl>
    <dt>App</dt><dd>${model.appName}</dd>
    <dt>Merchant reference</dt><dd>${model.merchantRef}</dd>
  </dl>
  <h2>What the app will be able to do</h2>
  <ul>
    ${model.access.map((item) => html`<li><strong>${item.name}</strong>: ${item.description}</li>`)}
  </ul>
  <p>You will be taken to TikTok Shop to sign in and approve this access. You can remove it at any time in TikTok Shop Seller Center.</p>
  <form method="post" action="${formAction}">
    <button type="submit">Connect with TikTok Shop</button>
  </form>
  <p class="muted">This link works once and expires ${formatDateTime(model.expiresAt)}.</p>
</section>`,
  );
}
