import { endingWindowDays, refreshHistoryDays, refreshOutcomeKinds, type Overview, type RefreshOutcomeKind } from '../../admin/overview.js';
import { adminPage, expiryBadge, scrollTable, statusLabel, statusOrder, statusWordsOf, when, type AdminFrame } from './admin-common.js';
import { html, SafeHtml } from './html.js';
import { barChart, type Series } from './svg-charts.js';

const outcomeSeries: Record<RefreshOutcomeKind, Series> = {
  refreshed: { name: 'refreshed', color: '#15803d' },
  transient_failure: { name: 'transient failure', color: '#b45309' },
  grant_dead: { name: 'grant dead', color: '#b91c1c' },
  permission: { name: 'permission', color: '#6d28d9' },
};

const problemWords: Record<string, string> = { scope_missing: 'Missing permission (API scope)' };

const overviewStyles = new SafeHtml(`<style>
  .tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(9rem, 1fr)); gap: .75rem; list-style: none; padding: 0; margin: 0; }
  .tiles a { display: block; border: 1px solid #dfe1e5; border-radius: 8px; padding: .75rem; text-decoration: none; color: inherit; }
  .tiles a:hover { border-color: #1d4ed8; } .tiles strong { display: block; font-size: 1.6rem; }
  .charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 26rem), 1fr)); gap: 1rem; }
  svg.chart { width: 100%; height: auto; max-width: 40rem; display: block; }
  ul.legend { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: .25rem 1rem; font-size: .9rem; }
  .swatch { display: inline-block; width: .8rem; height: .8rem; border-radius: 2px; margin-right: .35rem; vertical-align: -1px; }
</style>`);

const shortDate = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });

/** `/admin/overview`: counts by status (links to the filtered list), the review queue, two charts, open problems and failing webhooks. */
export function overviewPage(model: Overview, frame: AdminFrame): string {
  const counts = new Map(model.byStatus.map((row) => [row.status, row.count]));
  const ending = model.endingByWeek.reduce((sum, week) => sum + week.count, 0);
  const refreshTotals = refreshOutcomeKinds.map((kind) => model.refreshesByDay.reduce((sum, d) => sum + d.counts[kind], 0));
  return adminPage(
    'Overview',
    frame,
    html`${overviewStyles}<h1>Overview</h1>
<section class="card" aria-labelledby="status-title">
  <h2 id="status-title">Connections (${model.total})</h2>
  <ul class="tiles">
    ${statusOrder.map(
      (status) => html`<li><a href="/admin?status=${status}"><strong>${counts.get(status) ?? 0}</strong>${statusWordsOf(status)}</a></li>`,
    )}
  </ul>
</section>
<section class="card" aria-labelledby="queue-title">
  <h2 id="queue-title">Needs attention</h2>
  ${model.queue.length === 0
    ? html`<p>Nothing needs attention right now.</p>`
    : scrollTable('Review queue table', html`<table><thead><tr><th scope="col">Seller</th><th scope="col">Status</th><th scope="col">Why</th><th scope="col">Authorization ends</th></tr></thead>
    <tbody>${model.queue.map(
      (c) => html`<tr><td><a href="/admin/connections/${c.id}">${c.sellerName}</a></td><td>${statusLabel(c.status)}</td><td>${c.attention.join('; ')}</td>
      <td>${when(c.refreshTokenExpiresAt, frame.now)} ${expiryBadge(c.refreshTokenExpiresAt, frame.now)}</td></tr>`,
    )}</tbody></table>`)}
  <p><a href="/admin">The whole queue and every connection</a></p>
</section>
<div class="charts">
<section class="card" aria-labelledby="ending-title">
  <h2 id="ending-title">Authorizations ending, next ${endingWindowDays} days</h2>
  ${barChart({
    id: 'ending',
    title: `Active authorizations ending per week, next ${endingWindowDays} days`,
    description: `${ending} in total. ${model.endingByWeek.map((w) => `Week of ${shortDate.format(w.start)}: ${w.count}`).join('; ')}.`,
    bars: model.endingByWeek.map((week) => ({ label: shortDate.format(week.start), values: [week.count] })),
    series: [{ name: 'ending', color: '#1d4ed8' }],
  })}
  <p>${ending === 1 ? '1 active authorization ends' : `${ending} active authorizations end`} within ${endingWindowDays} days; merchants re-authorize to keep them.</p>
</section>
<section class="card" aria-labelledby="refresh-title">
  <h2 id="refresh-title">Token refreshes, last ${refreshHistoryDays} days</h2>
  ${barChart({
    id: 'refreshes',
    title: `Token refresh outcomes per day, last ${refreshHistoryDays} days`,
    description: refreshOutcomeKinds.map((kind, i) => `${refreshTotals[i]} ${outcomeSeries[kind].name}`).join(', ') + '.',
    bars: model.refreshesByDay.map((d) => ({ label: shortDate.format(new Date(`${d.day}T00:00:00Z`)), values: refreshOutcomeKinds.map((kind) => d.counts[kind]) })),
    series: refreshOutcomeKinds.map((kind) => outcomeSeries[kind]),
  })}
</section>
</div>
<section class="card" aria-labelledby="problems-title">
  <h2 id="problems-title">Open problems</h2>
  ${model.openProblemsByKind.length === 0
    ? html`<p>No open problems.</p>`
    : html`<ul>${model.openProblemsByKind.map((row) => html`<li><strong>${row.count}</strong> ${problemWords[row.kind] ?? row.kind}</li>`)}</ul>`}
</section>
<section class="card" aria-labelledby="webhooks-title">
  <h2 id="webhooks-title">Webhook subscriptions with failing deliveries</h2>
  ${model.failingSubscriptions.length === 0
    ? html`<p>No webhook subscription is failing.</p>`
    : scrollTable('Failing webhook subscriptions table', html`<table><thead><tr><th scope="col">Subscription</th><th scope="col">Status</th><th scope="col">Failing since</th><th scope="col">Backlog</th><th scope="col">Dead letters</th></tr></thead>
    <tbody>${model.failingSubscriptions.map(
      (s) => html`<tr><td><a href="/admin/webhooks/${s.id}">${s.url}</a></td>
      <td>${s.status === 'active' ? html`<span class="status status-ok">Active</span>` : html`<span class="status status-warn">Paused</span> <small>${s.pausedReason ?? ''}</small>`}</td>
      <td>${s.failingSince ? when(s.failingSince, frame.now) : '—'}</td><td>${s.backlog}</td><td>${s.deadLetters}</td></tr>`,
    )}</tbody></table>`)}
  <p><a href="/admin/webhooks">Every webhook subscription</a></p>
</section>`,
  );
}
