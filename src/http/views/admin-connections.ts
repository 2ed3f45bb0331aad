import type { ConnectionSummary } from '../../admin/review.js';
import type { ConnectionSortKey } from '../../admin/review.js';
import { connectionStatuses, type ConnectionStatus } from '../../connections/lifecycle/index.js';
import { adminPage, expiryBadge, scrollTable, statusLabel, statusWordsOf, when, type AdminFrame } from './admin-common.js';
import { html, type SafeHtml } from './html.js';

/** A configured TikTok Shop app as the console names it. */
export interface AppLabel {
  id: string;
  market: 'global' | 'us';
}

export interface ConnectionsPageModel {
  frame: AdminFrame;
  /** The configured apps: a filter when there are several, and each connection's app and market. */
  apps: readonly AppLabel[];
  queue: ConnectionSummary[];
  connections: ConnectionSummary[];
  filter: { status?: ConnectionStatus; app?: string; search?: string; sort?: { key: ConnectionSortKey; direction: 'asc' | 'desc' } };
  page: number;
  hasMore: boolean;
  /** Connections the filter finds, over every page. */
  total: number;
}


/** `/admin`: the review queue, then every connection with filters. */
export function connectionsPage(model: ConnectionsPageModel): string {
  const { frame, filter } = model;
  const link = (page: number, sort = filter.sort) => {
    const query = new URLSearchParams();
    if (filter.status) query.set('status', filter.status);
    if (filter.app) query.set('app', filter.app);
    if (filter.search) query.set('q', filter.search);
    if (sort) {
      query.set('sort', sort.key);
      query.set('dir', sort.direction);
    }
    query.set('page', String(page));
    return `/admin?${query.toString()}`;
  };
  const pageLink = (page: number) => link(page);
  return adminPage(
    'Connections',
    frame,
    html`<h1>Connections</h1>
<section class="card" aria-labelledby="queue-title">
  <h2 id="queue-title">Needs attention (${model.queue.length})</h2>
  ${model.queue.length === 0
    ? html`<p>Nothing needs attention right now.</p>`
    : scrollTable('Review queue table', html`<table>
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
  </table>`)}
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
    ${model.apps.length > 1
      ? html`<label>App
      <select name="app">
        <option value="">Any app</option>
        ${model.apps.map((app) => html`<option value="${app.id}"${filter.app === app.id ? html` selected` : ''}>${appLabel(app.id, model.apps)}</option>`)}
      </select>
    </label>`
      : ''}
    <label>Seller, merchant ref or shop id
      <input type="search" name="q" value="${filter.search ?? ''}" maxlength="200">
    </label>
    ${filter.sort ? html`<input type="hidden" name="sort" value="${filter.sort.key}"><input type="hidden" name="dir" value="${filter.sort.direction}">` : ''}
    <button type="submit" class="secondary">Filter</button>
  </form>
  <p>${countLine(model)}</p>
  ${model.connections.length === 0 ? html`<p>No connections match.</p>` : connectionsTable(model.connections, frame.now, filter.sort, (sort) => link(1, sort), model.apps)}
  <p>
    ${model.page > 1 ? html`<a href="${pageLink(model.page - 1)}" rel="prev">Previous page</a>` : ''}
    ${model.hasMore ? html`<a href="${pageLink(model.page + 1)}" rel="next">Next page</a>` : ''}
  </p>
</section>`,
  );
}

function countLine(model: ConnectionsPageModel): string {
  if (model.total === 0) return 'No connections match.';
  const first = (model.page - 1) * 50 + 1;
  const last = first + model.connections.length - 1;
  const what = model.filter.status || model.filter.app || model.filter.search ? 'matching connections' : 'connections';
  return model.connections.length === 0 ? `${model.total} ${what}; this page is past the end.` : `${first}–${last} of ${model.total} ${what}.`;
}

type Sort = { key: ConnectionSortKey; direction: 'asc' | 'desc' };

/** A column header that sorts by its column: ascending first, then the other way; `aria-sort` says which is on. */
function sortable(label: string, key: ConnectionSortKey, current: Sort | undefined, href: (sort: Sort) => string): SafeHtml {
  const active = (current ?? { key: 'created', direction: 'desc' }).key === key ? (current ?? { key: 'created', direction: 'desc' as const }) : undefined;
  const next: Sort = { key, direction: active?.direction === 'asc' ? 'desc' : 'asc' };
  const ariaSort = active ? (active.direction === 'asc' ? 'ascending' : 'descending') : undefined;
  const arrow = active ? (active.direction === 'asc' ? ' ▲' : ' ▼') : '';
  return html`<th scope="col"${ariaSort ? html` aria-sort="${ariaSort}"` : ''}><a href="${href(next)}">${label}${arrow}</a></th>`;
}

/** `us (US market)`: the app id and its market, in words; an app no longer configured says so. */
export function appLabel(id: string, apps: readonly AppLabel[]): string {
  const app = apps.find((known) => known.id === id);
  return app ? `${id} (${app.market === 'us' ? 'US' : 'global'} market)` : `${id} (not configured)`;
}

function connectionsTable(connections: ConnectionSummary[], now: Date, sort: Sort | undefined, href: (sort: Sort) => string, apps: readonly AppLabel[]): SafeHtml {
  return scrollTable('Connections table', html`<table>
  <thead><tr>
    ${sortable('Seller', 'seller', sort, href)}<th scope="col">Merchant ref</th><th scope="col">App</th><th scope="col">Shops</th>${sortable('Status', 'status', sort, href)}
    <th scope="col">Access token expires</th>${sortable('Authorization expires', 'authorization_ends', sort, href)}${sortable('Connected', 'created', sort, href)}
    <th scope="col">Open problems</th><th scope="col">Last refresh error</th>
  </tr></thead>
  <tbody>${connections.map(
    (c) => html`<tr>
    <td><a href="/admin/connections/${c.id}">${c.sellerName}</a></td>
    <td>${c.merchantRef ?? '—'}</td>
    <td>${appLabel(c.app, apps)}</td>
    <td>${c.shopCount}</td>
    <td>${statusLabel(c.status)}</td>
    <td>${when(c.accessTokenExpiresAt, now)}</td>
    <td>${when(c.refreshTokenExpiresAt, now)} ${expiryBadge(c.refreshTokenExpiresAt, now)}</td>
    <td>${when(c.createdAt, now)}</td>
    <td>${c.openProblemCount}</td>
    <td>${c.lastRefreshError ?? '—'}${c.refreshFailureCount > 0 ? html` <small>(${c.refreshFailureCount} failures in a row)</small>` : ''}</td>
  </tr>`,
  )}</tbody>
</table>`);
}
