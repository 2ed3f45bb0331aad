import { appLabel, type AppLabel } from './admin-connections.js';
import { offeredActions, reauthorizationLinkTtlSeconds, type ReauthorizationLink } from '../../admin/actions.js';
import type { ConnectionDetail } from '../../admin/review.js';
import { describeProblem, problemCause } from '../../connections/merchant-status.js';
import type { ProblemRecord } from '../../connections/model.js';
import { describeTikTokCode } from '../../tiktok/index.js';
import type { ConnectionStatus } from '../../connections/model.js'; // lifecycle
import { adminPage, csrfField, expiryBadge, scrollTable, statusLabel, when, type AdminFrame } from './admin-common.js';
import { auditDetails } from './admin-history.js';
import { html, type SafeHtml } from './html.js';

/** The result of the last action, shown once after its redirect. */
export interface Notice {
  tone: 'ok' | 'bad';
  text: string;
}

export function connectionPage(detail: ConnectionDetail, frame: AdminFrame, notice: Notice | undefined, apps?: readonly AppLabel[]): string {
  const c = detail.connection;
  const s = detail.summary;
  const base = `/admin/connections/${c.id}`;
  const offered = offeredActions(c.status);
  const action = (path: string, label: string, kind = 'secondary') =>
    html`<form method="post" action="${base}/${path}">${csrfField(frame)}<button type="submit" class="${kind}">${label}</button></form>`;
  return adminPage(
    c.sellerName,
    frame,
    html`<p><a href="/admin">&larr; All connections</a></p>
<h1>${c.sellerName}</h1>
${notice ? html`<div class="card ${notice.tone === 'ok' ? 'notice' : 'error'}" role="status"><p>${notice.text}</p></div>` : ''}
<section class="card" aria-labelledby="facts-title">
  <h2 id="facts-title">Connection</h2>
  <dl class="facts">
    <dt>Status</dt><dd>${statusLabel(c.status)}${c.statusReason ? html` <small>${c.statusReason}</small>` : ''}</dd>
    <dt>Merchant ref</dt><dd>${c.merchantRef ?? '—'}</dd>
    <dt>TikTok Shop app</dt><dd>${apps ? appLabel(c.app, apps) : c.app}</dd>
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
    ${offered.includes('refresh') ? action('refresh', 'Refresh now') : ''}
    ${offered.includes('suspend') ? html`<a class="button secondary" href="${base}/suspend">Suspend&hellip;</a>` : ''}
    ${offered.includes('resume') ? action('resume', 'Resume') : ''}
    ${offered.includes('revoke') ? html`<a class="button secondary" href="${base}/revoke">Revoke&hellip;</a>` : ''}
    ${offered.includes('reauthorization-link') ? action('reauthorization-link', 'Re-authorization link') : ''}
  </div>
  ${actionNotes[c.status] ? html`<p class="muted">${actionNotes[c.status]}</p>` : ''}
</section>
<section class="card" aria-labelledby="shops-title">
  <h2 id="shops-title">Shops (${detail.shops.length})</h2>
  ${detail.shops.length === 0
    ? html`<p>No shops.</p>`
    : scrollTable('Shops table', html`<table><thead><tr><th scope="col">Shop id</th><th scope="col">Name</th><th scope="col">Region</th><th scope="col">Code</th><th scope="col">State</th></tr></thead>
  <tbody>${detail.shops.map(
    (shop) => html`<tr><td><code>${shop.id}</code></td><td>${shop.name}</td><td>${shop.region}</td><td>${shop.code ?? '—'}</td>
    <td>${shop.removedAt ? html`removed ${when(shop.removedAt, frame.now)}` : 'connected'}</td></tr>`,
  )}</tbody></table>`)}
</section>
<section class="card" aria-labelledby="problems-title">
  <h2 id="problems-title">Open problems (${detail.openProblems.length})</h2>
  ${detail.openProblems.length === 0 ? html`<p>No open problems.</p>` : detail.openProblems.map((p) => problem(p, frame.now, c.grantedScopes ?? []))}
  <h3>Resolved problems (${detail.resolvedProblems.length})</h3>
  ${detail.resolvedProblems.length === 0 ? html`<p>None.</p>` : detail.resolvedProblems.map((p) => problem(p, frame.now, c.grantedScopes ?? []))}
</section>
<section class="card" aria-labelledby="audit-title">
  <h2 id="audit-title">History</h2>
  ${detail.audit.entries.length === 0
    ? html`<p>No recorded events.</p>`
    : scrollTable('History table', html`<table class="history"><thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">What</th><th scope="col">Outcome</th></tr></thead>
  <tbody>${detail.audit.entries.map(
    (e) => html`<tr><td>${when(e.occurredAt, frame.now)}</td>
    <td>${e.actorType === 'api_client' && e.actorName ? html`API client <strong>${e.actorName}</strong>` : html`${e.actorType}${e.actorId ? html`: ${e.actorId}` : ''}`}</td>
    <td>${e.action}${e.shopId ? html` <small>shop ${e.shopId}</small>` : ''}${auditDetails(e.detail)}</td><td>${e.outcome}</td></tr>`,
  )}</tbody></table>`)}
  <p>
    ${detail.audit.page > 1 ? html`<a href="${base}?page=${detail.audit.page - 1}" rel="prev">Newer events</a>` : ''}
    ${detail.audit.hasMore ? html`<a href="${base}?page=${detail.audit.page + 1}" rel="next">Older events</a>` : ''}
  </p>
</section>`,
  );
}

function problem(p: ProblemRecord, now: Date, grantedScopes: readonly string[]): SafeHtml {
  const words = describeProblem(p, grantedScopes);
  // The merchant unticked it: only they can fix it. Otherwise TikTok's remedy for its code (Partner Center).
  const remedy =
    p.tiktokCode === null || problemCause(p, grantedScopes) === 'permission_not_granted' ? undefined : describeTikTokCode(p.tiktokCode, p.tiktokMessage ?? '').remedy;
  return html`<div class="problem">
  <p><strong>${words.title}</strong> <small>${p.apiPath}</small></p>
  <p>${words.explanation}</p>
  <p><strong>What to do:</strong> ${remedy ?? words.whatToDo}</p>
  <p><small>Seen ${p.occurrences} time${p.occurrences === 1 ? '' : 's'}, first ${when(p.firstSeenAt, now)}, last ${when(p.lastSeenAt, now)}${p.resolvedAt
    ? html`; resolved ${when(p.resolvedAt, now)} (${p.resolution ?? 'resolved'})`
    : ''}</small></p>
</div>`;
}

const actionNotes: Record<ConnectionStatus, string | undefined> = {
  active: undefined,
  refresh_lost:
    'A refresh whose answer was lost rotated the refresh token away. The access token keeps working until it expires; send the merchant the re-authorization link now.',
  needs_reauth: 'TikTok no longer accepts this authorization: refreshing cannot help until the merchant re-authorizes.',
  expired: 'The authorization ran out: send the merchant the re-authorization link.',
  suspended: 'Suspended: resume it to refresh it or to hand out tokens again.',
  revoked: 'This connection is revoked; the merchant must connect again with a new connect link.',
};

const confirmations = {
  revoke: {
    title: 'Revoke this connection?',
    consequence: 'Internal apps will get no more tokens for it, it will not be refreshed again, and the merchant must connect again to undo it.',
    button: 'Yes, revoke',
  },
  suspend: {
    title: 'Suspend this connection?',
    consequence: 'Internal apps will get no tokens for it and it will not be refreshed until an admin resumes it. The merchant sees it as paused.',
    button: 'Yes, suspend',
  },
} as const;

/** The confirm step before revoking or suspending: a second form, so one stray click cannot do it. */
export function confirmActionPage(detail: ConnectionDetail, frame: AdminFrame, action: keyof typeof confirmations): string {
  const c = detail.connection;
  const words = confirmations[action];
  return adminPage(
    `${action === 'revoke' ? 'Revoke' : 'Suspend'} ${c.sellerName}`,
    frame,
    html`<p><a href="/admin/connections/${c.id}">&larr; Back to ${c.sellerName}</a></p>
<section class="card error" aria-labelledby="confirm-title">
  <h1 id="confirm-title">${words.title}</h1>
  <p>${c.sellerName} (${c.merchantRef ?? 'no merchant ref'}) with ${detail.shops.filter((shop) => !shop.removedAt).length} shop(s).
  ${words.consequence}</p>
  <form method="post" action="/admin/connections/${c.id}/${action}">
    ${csrfField(frame)}
    <input type="hidden" name="confirm" value="yes">
    <div class="actions"><button type="submit" class="danger">${words.button}</button> <a class="button secondary" href="/admin/connections/${c.id}">Cancel</a></div>
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
    html`<p><a href="/admin/connections/${c.id}">&larr; Back to ${c.sellerName}</a></p>
<section class="card" aria-labelledby="link-title">
  <h1 id="link-title">Re-authorization link</h1>
  <p>Send this link to ${c.sellerName} (${c.merchantRef ?? 'no merchant ref'}). It opens their connection's status page,
  which shows what is wrong and a <strong>Re-authorize on TikTok Shop</strong> button that takes them through TikTok Shop
  again for this connection.</p>
  <p><label for="reauthorization-link">Link (select it and copy)</label><br>
  <input type="text" id="reauthorization-link" name="link" value="${link.url}" readonly class="wide"></p>
  <p>It works for ${Math.round(reauthorizationLinkTtlSeconds / 86_400)} days, until <time datetime="${link.expiresAt.toISOString()}">${link.expiresAt
    .toISOString()
    .slice(0, 16)
    .replace('T', ' ')} UTC</time>. Anyone who has it can see this connection's status and start
  re-authorizing it, so send it only to the merchant; this page shows it once and it is not stored.</p>
</section>`,
  );
}
