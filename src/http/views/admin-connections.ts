import type { ConnectionSummary } from '../../admin/review.js';
import { connectionStatuses, type ConnectionStatus } from '../../connections/lifecycle/index.js';
import { adminPage, expiryBadge, statusLabel, statusWordsOf, when, type AdminFrame } from './admin-common.js';
import { html, type SafeHtml } from './html.js';

export interface ConnectionsPageModel {
  frame: AdminFrame;
  queue: ConnectionSummary[];
  connections: ConnectionSummary[];
  filter: { status?: ConnectionStatus; search?: string };
  page: number;
  hasMore: boolean;
}


/** `/admin`: the review queue, then every connection with filters. */
export function connectionsPage(model: ConnectionsPageModel): string {
  const { frame, filter } = model;
  const pageLink = (page: number) => {
    const query = new URLSearchParams();
    if (filter.status) query.set('status', filter.status);
    if (filter.search) query.set('q', filter.search);
    query.set('page', String(page));
    return `/admin?${query.toString()}`;
  };
  return adminPage(
    'Connections',
    frame,
    html`<h1>Connections</h1>
<section class="card" aria-labelledby="queue-title">
  <h2 id="queue-title">Needs attention (${model.queue.length})</h2>
  ${model.queue.length === 0
    ? html`<p>Nothing needs attention right now.</p>`
    : html`<table>
    <thead><tr><th scope="col">Seller</th><th scope="col">Merchant ref</th><th scope="col">Status</th><th scope="col">Why</th><th scope="col">Authorization ends</th></tr></thead>
    <tbody>${model.queue.map(
      (c) => html`<tr>
      <td><a href="/admin/connections/${c.id}">${c.sellerName}</a></td>
      <td>${c.merchantRef ?? '—'}</td>
      <td>${statusLabel(c.status)}</td>
      <td>${c.attention.join('; ')}</td>
      <td>${when(c.refreshTokenExpiresAt, frame.now)} ${expiryBadge(c.refreshTokenExpiresAt, frame.now)}</td>
    </tr>`,
    )}</tbody>
  </table>`}
</section>
<section class="card" aria-labelledby="all-title">
  <h2 id="all-title">All connections</h2>
  <form method="get" action="/admin" class="filters" role="search">
    <label>Status
      <select name="status">
        <option value="">Any status</option>
        ${connectionStatuses.map((s) => html`<option value="${s}"${filter.status === s ? html` selected` : ''}>${statusWordsOf(s)}</option>`)}
      </select>
    </label>
    <label>Seller, merchant ref or shop id
      <input type="search" name="q" value="${filter.search ?? ''}" maxlength="200">
    </label>
    <button type="submit" class="secondary">Filter</button>
  </form>
  ${model.connections.length === 0 ? html`<p>No connections match.</p>` : connectionsTable(model.connections, frame.now)}
  <p>
    ${model.page > 1 ? html`<a href="${pageLink(model.page - 1)}" rel="prev">Previous page</a>` : ''}
    ${model.hasMore ? html`<a href="${pageLink(model.page + 1)}" rel="next">Next page</a>` : ''}
  </p>
</section>`,
  );
}

function connectionsTable(connections: ConnectionSummary[], now: Date): SafeHtml {
  return html`<table>
  <thead><tr>
    <th scope="col">Seller</th><th scope="col">Merchant ref</th><th scope="col">Shops</th><th scope="col">Status</th>
    <th scope="col">Access token expires</th><th scope="col">Authorization expires</th><th scope="col">Open problems</th>
    <th scope="col">Last refresh error</th>
  </tr></thead>
  <tbody>${connections.map(
    (c) => html`<tr>
    <td><a href="/admin/connections/${c.id}">${c.sellerName}</a></td>
    <td>${c.merchantRef ?? '—'}</td>
    <td>${c.shopCount}</td>
    <td>${statusLabel(c.status)}</td>
    <td>${when(c.accessTokenExpiresAt, now)}</td>
    <td>${when(c.refreshTokenExpiresAt, now)} ${expiryBadge(c.refreshTokenExpiresAt, now)}</td>
    <td>${c.openProblemCount}</td>
    <td>${c.lastRefreshError ?? '—'}${c.refreshFailureCount > 0 ? html` <small>(${c.refreshFailureCount} failures in a row)</small>` : ''}</td>
  </tr>`,
  )}</tbody>
</table>`;
}
