import type { MerchantProblem, MerchantStatusModel } from '../../connections/index.js';
import { html, type SafeHtml } from './html.js';
import type { MessageKey } from './i18n/index.js';
import { merchantLayout, permissionItems, permissionList, supportDetails, type MerchantContext } from './merchant-words.js';

export interface MerchantStatusView {
  /** The re-authorize form's action and the status link's signature to carry. */
  reauthorize: { action: string; sig: string | undefined };
  /** Set right after connecting (`?outcome=`): the page opens with a success message. */
  outcome: 'created' | 'reauthorized' | undefined;
}

const tones = { active: 'ok', refresh_lost: 'warn', needs_reauth: 'bad', expired: 'bad', suspended: 'warn', revoked: 'bad' } as const;

/**
 * `GET /merchant/connections/:id`: what to do first, then why in the merchant's words, then the
 * shops and permissions. TikTok's codes and the service's reasons only in "Details for support".
 * Never shows a token.
 */
export function merchantStatusPage(model: MerchantStatusModel, view: MerchantStatusView, context: MerchantContext): string {
  const { t, app } = context;
  const active = model.status === 'active';
  const unticked = model.problems.filter((problem) => problem.cause === 'permission_not_granted');
  const mustReauthorize =
    model.status === 'needs_reauth' || model.status === 'expired' || model.status === 'refresh_lost' || (active && (unticked.length > 0 || model.expiry !== null));
  const canReauthorize = model.status !== 'suspended' && model.status !== 'revoked';
  const justConnected = active && view.outcome !== undefined;
  const heading = justConnected
    ? t.t(view.outcome === 'created' ? 'status.connected.heading' : 'status.reconnected.heading')
    : unticked.length > 0 && active
      ? t.t('problem.unticked.title', { permission: permissionList(unticked[0]!.scopeKeys, t) })
      : t.t(`status.${model.status}.heading` as MessageKey, { app });
  const lead = justConnected
    ? t.t('status.connected.lead', { app })
    : active
      ? t.t(unticked.length > 0 || model.expiry ? 'status.active.problems.lead' : model.problems.length > 0 ? 'status.active.ourSide.lead' : 'status.active.lead', { app })
      : model.status === 'refresh_lost'
        ? t.t('status.refresh_lost.lead', { app, date: t.date(model.accessTokenExpiresAt) })
        : t.t(`status.${model.status}.lead` as MessageKey, { app });
  const form = (primary: boolean) => html`<form method="post" action="${view.reauthorize.action}">
    ${view.reauthorize.sig ? html`<input type="hidden" name="sig" value="${view.reauthorize.sig}">` : ''}
    <button type="submit"${primary ? '' : html` class="secondary"`}>${t.t('status.reauth.button')}</button>
  </form>`;
  const details = [t.t('details.connection', { id: model.connectionId }), ...(model.statusReason ? [t.t('details.reason', { reason: model.statusReason })] : [])];

  return merchantLayout(
    t.t('status.title', { seller: model.sellerName, app }),
    html`<section class="card" aria-labelledby="status-heading">
  <h1 id="status-heading">${heading}</h1>
  <p class="lead">${lead}</p>
  ${mustReauthorize ? form(true) : ''}
  <p>${t.t('status.label')}: <span class="status status-${tones[model.status]}">${t.t(`status.label.${model.status}` as MessageKey)}</span>
  · ${t.t('status.seller')}: <strong>${model.sellerName}</strong></p>
  ${active ? accessLine(model, context) : ''}
  ${supportDetails(details, t)}
</section>
${model.problems.length > 0 && model.status !== 'revoked'
  ? html`<section class="card" aria-labelledby="problems-heading">
  <h2 id="problems-heading">${t.t('status.problems.heading')}</h2>
  ${model.problems.map((problem) => problemBlock(problem, context))}
</section>`
  : ''}
<section class="card" aria-labelledby="shops-heading">
  <h2 id="shops-heading">${t.t('status.shops.heading')}</h2>
  ${model.shops.length === 0
    ? html`<p>${t.t('status.shops.none')}</p>`
    : html`<div class="table-scroll"><table>
    <caption class="muted">${t.t('status.shops.caption', { app })}</caption>
    <thead><tr><th scope="col">${t.t('status.shops.shop')}</th><th scope="col">${t.t('status.shops.region')}</th></tr></thead>
    <tbody>
      ${model.shops.map((shop) => html`<tr><td>${shop.name}</td><td>${shop.region}</td></tr>`)}
    </tbody>
  </table></div>`}
  ${model.removedShops.length === 0
    ? ''
    : html`<h3>${t.t('status.shops.removed')}</h3>
  <ul>${model.removedShops.map((shop) => html`<li>${shop.name} (${shop.region})</li>`)}</ul>`}
</section>
<section class="card" aria-labelledby="permissions-heading">
  <h2 id="permissions-heading">${t.t('status.permissions.heading')}</h2>
  ${model.grantedScopes === null
    ? html`<p>${t.t('status.permissions.unknown')}</p>`
    : model.grantedScopes.length === 0 ? html`<p>${t.t('status.permissions.none')}</p>` : permissionItems(model.grantedScopes, t)}
</section>
${canReauthorize && !mustReauthorize
  ? html`<section class="card" aria-labelledby="reauth-heading">
  <h2 id="reauth-heading">${t.t('status.reauth.button')}</h2>
  <p>${t.t('status.reauth.renew')}</p>
  ${form(false)}
</section>`
  : ''}`,
    context,
  );
}

/** When access ends, only while the connection works (no end date beside "needs re-authorization"). */
function accessLine(model: MerchantStatusModel, { t }: MerchantContext): SafeHtml {
  const date = html`<time datetime="${model.accessEndsAt.toISOString()}">${t.date(model.accessEndsAt)}</time>`;
  const [before, after] = t.t(model.expiry ? `status.access.${model.expiry}` : 'status.access.until', { date: '\u0000' }).split('\u0000');
  const text = html`${before}${after === undefined ? '' : html`${date}${after}`}`;
  return model.expiry ? html`<p class="problem" role="alert">${text}</p>` : html`<p>${text}</p>`;
}

function problemBlock(problem: MerchantProblem, { t, app }: MerchantContext): SafeHtml {
  const permission = permissionList(problem.scopeKeys, t);
  const ours = problem.cause === 'app_lacks_package';
  const details = [
    t.t('details.path', { path: problem.apiPath }),
    ...(problem.tiktokCode === null ? [] : [t.t('details.tiktok', { code: problem.tiktokCode, message: problem.tiktokMessage ?? '' })]),
  ];
  return html`<div class="problem">
    <h3>${ours ? t.t('problem.ourSide.title') : t.t('problem.unticked.title', { permission })}</h3>
    <p>${t.t(ours ? 'problem.ourSide.reason' : 'problem.unticked.reason', { app, permission })}</p>
    ${supportDetails(details, t)}
  </div>`;
}
