import type { ConnectPageModel } from '../../connections/index.js';
import type { Market } from '../../tiktok/index.js';
import { html } from './html.js';
import { merchantLayout, permissionItems, type MerchantContext } from './merchant-words.js';

/**
 * Several TikTok Shop markets (#13): the merchant says where they sell, in plain words, before going
 * to TikTok (US sellers sign in on the US platform). Radio buttons, one required: no JavaScript needed.
 */
function marketChoice(markets: readonly Market[], context: MerchantContext) {
  const { t } = context;
  return html`<fieldset class="market-choice" aria-describedby="market-hint">
    <legend>${t.t('connect.market.legend')}</legend>
    <p id="market-hint" class="muted">${t.t('connect.market.hint')}</p>
    ${markets.map((market) => html`<p><label><input type="radio" name="market" value="${market}" required> ${t.t(market === 'us' ? 'connect.market.us' : 'connect.market.global')}</label></p>`)}
  </fieldset>`;
}

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
    ${model.marketChoices ? marketChoice(model.marketChoices, context) : ''}
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
