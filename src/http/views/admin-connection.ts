import { reauthorizationLinkTtlSeconds, type ReauthorizationLink } from '../../admin/actions.js';
import type { ConnectionDetail } from '../../admin/review.js';
import { describeProblem } from '../../connections/merchant-status.js';
import type { ProblemRecord } from '../../connections/model.js';
import { describeTikTokCode } from '../../tiktok/index.js';
import { adminPage, csrfField, expiryBadge, statusLabel, when, type AdminFrame } from './admin-common.js';
import { html, type SafeHtml } from './html.js';

/** The result of the last action, shown once after its redirect. */
export interface Notice {
  tone: 'ok' | 'bad';
  text: string;
}

export function connectionPage(detail: ConnectionDetail, frame: AdminFrame, notice: Notice | undefined): string {
  const c = detail.connection;
  const s = detail.summary;
  const base = `/admin/connections/${c.id}`;
  const action = (path: string, label: string, kind = 'secondary') =>
    html`<form method="post" action="${base}/${path}">${csrfField(frame)}<button type="submit" class="${kind}">${label}</button></form>`;
  return adminPage(
    c.sellerName,
    frame,
    html`<p><a href="/admin">← All connections</a></p>
<h1>${c.sellerName}</h1>
${notice ? html`<div class="card ${notice.tone === 'ok' ? 'notice' : 'error'}" role="status"><p>${notice.text}</p></div>` : ''}
<section class="card" aria-labelledby="facts-title">
  <h2 id="facts-title">Connection</h2>
  <dl class="facts">
    <dt>Status</dt><dd>${statusLabel(c.status)}${c.statusReason ? html` <small>${c.statusReason}</small>` : ''}</dd>
    <dt>Merchant ref</dt><dd>${c.merchantRef ?? '—'}</dd>
    <dt>Connection id</dt><dd><code>${c.id}</code></dd>
    <dt>TikTok open id</dt><dd><code>${c.openId}</code></dd>
    <dt>Seller region</dt><dd>${c.sellerBaseRegion ?? '—'}</dd>
    <dt>Authorized</dt><dd>${when(c.authorizedAt, frame.now)}</dd>
    <dt>Access token expires</dt><dd>${when(c.accessTokenExpiresAt, frame.now)}</dd>
    <dt>Authorization expires</dt><dd>${when(c.refreshTokenExpiresAt, frame.now)} ${expiryBadge(c.refreshTokenExpiresAt, frame.now)}</dd>
    <dt>Next refresh</dt><dd>${c.refreshDueAt ? when(c.refreshDueAt, frame.now) : html`<span class="muted">not scheduled</span>`}</dd>
    <dt>Last refreshed</dt><dd>${when(c.lastRefreshedAt, frame.now)}</dd>
    <dt>Last refresh error</dt><dd>${c.lastRefreshError ?? '—'}${c.refreshFailureCount > 0 ? html` <small>(${c.refreshFailureCount} failures in a row)</small>` : ''}</dd>
    <dt>Granted scopes</dt><dd>${c.grantedScopes === null ? html`<span class="muted">scopes unknown (TikTok did not list them)</span>` : c.grantedScopes.length === 0 ? '—' : c.grantedScopes.join(', ')}</dd>
  </dl>
  ${s.attention.length > 0 ? html`<p><strong>Needs attention:</strong> ${s.attention.join('; ')}</p>` : ''}
</section>
<section class="card" aria-labelledby="actions-title">
  <h2 id="actions-title">Actions</h2>
  <div class="actions">
    ${c.status === 'revoked' ? '' : action('refresh', 'Refresh now')}
    ${c.status === 'active' ? action('suspend', 'Suspend') : ''}
    ${c.status === 'suspended' ? action('resume', 'Resume') : ''}
    ${c.status === 'revoked' ? html`<p>This connection is revoked; the merchant must connect again.</p>` : html`<a class="button secondary" href="${base}/revoke">Revoke…</a>`}
    ${action('reauthorization-link', 'Re-authorization link')}
  </div>
</section>
<section class="card" aria-labelledby="shops-title">
  <h2 id="shops-title">Shops (${detail.shops.length})</h2>
  ${detail.shops.length === 0
    ? html`<p>No shops.</p>`
    : html`<table><thead><tr><th scope="col">Shop id</th><th scope="col">Name</th><th scope="col">Region</th><th scope="col">Code</th><th scope="col">State</th></tr></thead>
  <tbody>${detail.shops.map(
    (shop) => html`<tr><td><code>${shop.id}</code></td><td>${shop.name}</td><td>${shop.region}</td><td>${shop.code ?? '—'}</td>
    <td>${shop.removedAt ? html`removed ${when(shop.removedAt, frame.now)}` : 'connected'}</td></tr>`,
  )}</tbody></table>`}
</section>
<section class="card" aria-labelledby="problems-title">
  <h2 id="problems-title">Open problems (${detail.openProblems.length})</h2>
  ${detail.openProblems.length === 0 ? html`<p>No open problems.</p>` : detail.openProblems.map((p) => problem(p, frame.now))}
  <h3>Resolved problems (${detail.resolvedProblems.length})</h3>
  ${detail.resolvedProblems.length === 0 ? html`<p>None.</p>` : detail.resolvedProblems.map((p) => problem(p, frame.now))}
</section>
<section class="card" aria-labelledby="audit-title">
  <h2 id="audit-title">History</h2>
  ${detail.audit.entries.length === 0
    ? html`<p>No recorded events.</p>`
    : html`<table><thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">What</th><th scope="col">Outcome</th><th scope="col">Detail</th></tr></thead>
  <tbody>${detail.audit.entries.map(
    (e) => html`<tr><td>${when(e.occurredAt, frame.now)}</td><td>${e.actorType}${e.actorId ? html`: ${e.actorId}` : ''}</td>
    <td>${e.action}${e.shopId ? html` <small>shop ${e.shopId}</small>` : ''}</td><td>${e.outcome}</td>
    <td>${e.detail ? html`<small>${JSON.stringify(e.detail)}</small>` : ''}</td></tr>`,
  )}</tbody></table>`}
  <p>
    ${detail.audit.page > 1 ? html`<a href="${base}?page=${detail.audit.page - 1}" rel="prev">Newer events</a>` : ''}
    ${detail.audit.hasMore ? html`<a href="${base}?page=${detail.audit.page + 1}" rel="next">Older events</a>` : ''}
  </p>
</section>`,
  );
}

function problem(p: ProblemRecord, now: Date): SafeHtml {
  const words = describeProblem(p);
  const remedy = p.tiktokCode === null ? undefined : describeTikTokCode(p.tiktokCode, p.tiktokMessage ?? '').remedy;
  return html`<div class="problem">
  <p><strong>${words.title}</strong> <small>${p.apiPath}</small></p>
  <p>${words.explanation}</p>
  <p><strong>What to do:</strong> ${remedy ?? words.whatToDo}</p>
  <p><small>Seen ${p.occurrences} time${p.occurrences === 1 ? '' : 's'}, first ${when(p.firstSeenAt, now)}, last ${when(p.lastSeenAt, now)}${p.resolvedAt
    ? html`; resolved ${when(p.resolvedAt, now)} (${p.resolution ?? 'resolved'})`
    : ''}</small></p>
</div>`;
}

/** The confirm step before revoking: a second form, so one stray click cannot revoke. */
export function revokeConfirmPage(detail: ConnectionDetail, frame: AdminFrame): string {
  const c = detail.connection;
  return adminPage(
    `Revoke ${c.sellerName}`,
    frame,
    html`<p><a href="/admin/connections/${c.id}">← Back to ${c.sellerName}</a></p>
<section class="card error">
  <h1>Revoke this connection?</h1>
  <p>${c.sellerName} (${c.merchantRef ?? 'no merchant ref'}) with ${detail.shops.filter((shop) => !shop.removedAt).length} shop(s).
  Internal apps will get no more tokens for it, it will not be refreshed again, and the merchant must connect again to undo it.</p>
  <form method="post" action="/admin/connections/${c.id}/revoke">
    ${csrfField(frame)}
    <input type="hidden" name="confirm" value="yes">
    <div class="actions"><button type="submit" class="danger">Yes, revoke</button> <a class="button secondary" href="/admin/connections/${c.id}">Cancel</a></div>
  </form>
</section>`,
  );
}

/**
 * The answer to "Re-authorization link": the merchant's status link, to copy into an e-mail or a
 * support ticket. It opens the connection's status page (problems in plain words and a
 * **Re-authorize on TikTok Shop** button) without signing in.
 */
export function reauthorizationLinkPage(detail: ConnectionDetail, frame: AdminFrame, link: ReauthorizationLink): string {
  const c = detail.connection;
  return adminPage(
    `Re-authorization link for ${c.sellerName}`,
    frame,
    html`<p><a href="/admin/connections/${c.id}">← Back to ${c.sellerName}</a></p>
<section class="card" aria-labelledby="link-title">
  <h1 id="link-title">Re-authorization link</h1>
  <p>Send this link to ${c.sellerName} (${c.merchantRef ?? 'no merchant ref'}). It opens their connection's status page,
  which shows what is wrong and a <strong>Re-authorize on TikTok Shop</strong> button that takes them through TikTok Shop
  again for this connection.</p>
  <p><label for="reauthorization-link">Link (select it and copy)</label><br>
  <input type="text" id="reauthorization-link" name="link" value="${link.url}" readonly size="100"></p>
  <p>It works for ${Math.round(reauthorizationLinkTtlSeconds / 86_400)} days, until <time datetime="${link.expiresAt.toISOString()}">${link.expiresAt
    .toISOString()
    .slice(0, 16)
    .replace('T', ' ')} UTC</time>. Anyone who has it can see this connection's status and start
  re-authorizing it, so send it only to the merchant; this page shows it once and it is not stored.</p>
</section>`,
  );
}
