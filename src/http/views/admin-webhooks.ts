import type { Delivery, Subscription } from '../../webhooks/model.js';
import { adminPage, csrfField, scrollTable, when, type AdminFrame } from './admin-common.js';
import { html, type SafeHtml } from './html.js';

/** One subscription's health, as the admin pages show it. */
export interface SubscriptionRow {
  subscription: Subscription;
  backlog: number;
  deadLetters: number;
  attemptsLastDay: number;
  successesLastDay: number;
  lastError: string | null;
  lastErrorAt: Date | null;
}

function successRate(row: SubscriptionRow): string {
  return row.attemptsLastDay === 0 ? '—' : `${Math.round((100 * row.successesLastDay) / row.attemptsLastDay)}% of ${row.attemptsLastDay}`;
}

function statusOf(subscription: Subscription): SafeHtml {
  return subscription.status === 'active'
    ? html`<span class="status status-ok">Active</span>`
    : html`<span class="status status-warn">Paused</span> <small>${subscription.pausedReason ?? ''}</small>`;
}

const button = (frame: AdminFrame, action: string, label: string, extra: SafeHtml = html``) =>
  html`<form method="post" action="${action}">${csrfField(frame)}${extra}<button type="submit" class="secondary">${label}</button></form>`;

/** `/admin/webhooks`: every subscription with its health, and the actions on it. */
export function webhooksPage(frame: AdminFrame, rows: SubscriptionRow[], notice?: string): string {
  return adminPage(
    'Webhooks',
    frame,
    html`<p><a href="/admin">&larr; Connections</a></p>
<h1>Webhook subscriptions</h1>
${notice ? html`<p class="card notice" role="status">${notice}</p>` : ''}
<section class="card">
${rows.length === 0
    ? html`<p>No subscriptions yet (internal apps create them with POST /v1/webhook-subscriptions).</p>`
    : scrollTable('Webhook subscriptions table', html`<table>
  <thead><tr><th scope="col">Subscription</th><th scope="col">Status</th><th scope="col">Delivered (24 h)</th><th scope="col">Backlog</th><th scope="col">Dead letters</th><th scope="col">Last error</th><th scope="col">Actions</th></tr></thead>
  <tbody>${rows.map((row) => {
      const id = row.subscription.id;
      return html`<tr>
    <td><a href="/admin/webhooks/${id}">${row.subscription.url}</a><br><small>${row.subscription.events.join(', ')}</small></td>
    <td>${statusOf(row.subscription)}</td>
    <td>${successRate(row)}</td>
    <td>${row.backlog}</td>
    <td>${row.deadLetters}</td>
    <td>${row.lastError ? html`${row.lastError}<br>${when(row.lastErrorAt, frame.now)}` : '—'}</td>
    <td class="actions">
      ${row.subscription.status === 'active' ? button(frame, `/admin/webhooks/${id}/pause`, 'Pause') : button(frame, `/admin/webhooks/${id}/resume`, 'Resume')}
      ${row.deadLetters > 0 ? button(frame, `/admin/webhooks/${id}/replay`, `Replay ${row.deadLetters} dead letter(s)`, html`<input type="hidden" name="target" value="dead">`) : ''}
    </td>
  </tr>`;
    })}</tbody>
</table>`)}
</section>`,
  );
}

/** `/admin/webhooks/:id`: one subscription, its dead letters (each replayable) and a replay since a time. */
export function webhookPage(frame: AdminFrame, row: SubscriptionRow, deadLetters: Delivery[], notice?: string): string {
  const id = row.subscription.id;
  return adminPage(
    'Webhook subscription',
    frame,
    html`<p><a href="/admin/webhooks">&larr; Webhooks</a></p>
<h1>${row.subscription.url}</h1>
${notice ? html`<p class="card notice" role="status">${notice}</p>` : ''}
<section class="card">
  <dl class="facts">
    <dt>Id</dt><dd>${id}</dd>
    <dt>Status</dt><dd>${statusOf(row.subscription)}</dd>
    <dt>Events</dt><dd>${row.subscription.events.join(', ')}</dd>
    <dt>Shops</dt><dd>${row.subscription.shopIds?.join(', ') ?? 'all'}</dd>
    <dt>Delivered (24 h)</dt><dd>${successRate(row)}</dd>
    <dt>Backlog</dt><dd>${row.backlog}</dd>
    <dt>Failing since</dt><dd>${when(row.subscription.failingSince, frame.now)}</dd>
  </dl>
</section>
<section class="card" aria-labelledby="dead-title">
  <h2 id="dead-title">Dead letters (${deadLetters.length})</h2>
  ${deadLetters.length === 0
    ? html`<p>No dead letters.</p>`
    : html`${button(frame, `/admin/webhooks/${id}/replay`, 'Replay all dead letters', html`<input type="hidden" name="target" value="dead">`)}
  ${scrollTable('Dead letters table', html`<table>
    <thead><tr><th scope="col">Delivery</th><th scope="col">Event</th><th scope="col">Attempts</th><th scope="col">Last error</th><th scope="col">Dead since</th><th scope="col">Action</th></tr></thead>
    <tbody>${deadLetters.map((delivery) => html`<tr>
      <td>${delivery.id}</td><td>${delivery.eventType} <small>(${delivery.eventId})</small></td><td>${delivery.attempts}</td>
      <td>${delivery.lastError ?? '—'}</td><td>${when(delivery.finishedAt, frame.now)}</td>
      <td>${button(frame, `/admin/webhooks/${id}/replay`, 'Replay', html`<input type="hidden" name="target" value="delivery"><input type="hidden" name="deliveryId" value="${delivery.id}">`)}</td>
    </tr>`)}</tbody>
  </table>`)}`}
</section>
<section class="card" aria-labelledby="since-title">
  <h2 id="since-title">Replay everything since a time</h2>
  <form method="post" action="/admin/webhooks/${id}/replay" class="filters">${csrfField(frame)}
    <input type="hidden" name="target" value="since">
    <label>Since (UTC) <input type="datetime-local" name="since" required></label>
    <button type="submit" class="secondary">Replay</button>
  </form>
</section>`,
  );
}
