import type { ConnectPageModel } from '../../connections/index.js';
import { html } from './html.js';
import { merchantLayout, permissionItems, type MerchantContext } from './merchant-words.js';

/** `GET /connect/:token`: who asks, for what, and the one button, first. Works without JavaScript. */
export function connectPage(model: ConnectPageModel, formAction: string, context: MerchantContext): string {
  const { t, app } = context;
  const heading = t.t(model.reauthorization ? 'connect.title.reauth' : 'connect.title.new', { app });
  return merchantLayout(
    heading,
    html`<section class="card" aria-labelledby="connect-heading">
  <h1 id="connect-heading">${heading}</h1>
  <p class="lead">${t.t('connect.lead', { app })}</p>
  <form method="post" action="${formAction}">
    <button type="submit">${t.t('connect.button')}</button>
  </form>
  <p>${t.t('connect.next')}</p>
</section>
<section class="card" aria-labelledby="access-heading">
  <h2 id="access-heading">${t.t('connect.access.heading', { app })}</h2>
  ${permissionItems(model.scopes, t)}
  <p class="muted">${t.t('connect.reference', { app })}: <strong>${model.merchantRef}</strong>.
  ${t.t('connect.expires', { date: t.dateTime(model.expiresAt) })}</p>
</section>`,
    context,
  );
}
