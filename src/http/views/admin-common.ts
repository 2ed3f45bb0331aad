import type { ConnectionStatus } from '../../connections/model.js';
import { html, SafeHtml } from './html.js';
import { layout } from './layout.js';

/** What every signed-in admin page shows in its frame. */
export interface AdminFrame {
  email: string;
  csrfToken: string;
  now: Date;
}

const adminStyles = new SafeHtml(`<style>
  main { max-width: 78rem; }
  nav.admin { display: flex; gap: 1rem; align-items: center; justify-content: space-between; margin-bottom: 1rem; }
  nav.admin form { display: inline; } nav.admin .links { display: flex; gap: 1rem; flex-wrap: wrap; }
  .key { font-family: ui-monospace, monospace; }
  .error-text { color: #b91c1c; font-weight: 600; } fieldset { border: 1px solid #dfe1e5; border-radius: 6px; margin: 0 0 1rem; }
  fieldset div { margin: .25rem 0; }
  .badge { display: inline-block; padding: 0 .5rem; border-radius: 999px; font-size: .8rem; font-weight: 600; }
  .badge-warn { background: #fff4d6; color: #713f12; } .badge-bad { background: #fde2e1; color: #7f1d1d; }
  .notice { border-left: 4px solid #15803d; } .filters { display: flex; gap: .75rem; flex-wrap: wrap; align-items: end; }
  .filters label { display: flex; flex-direction: column; font-size: .9rem; }
  input, select { font: inherit; padding: .35rem .5rem; border: 1px solid #c4c7cc; border-radius: 6px; }
  .actions { display: flex; gap: .75rem; flex-wrap: wrap; } .actions form { margin: 0; }
  button.danger { background: #b91c1c; } td, th { vertical-align: top; font-size: .95rem; }
  dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; } dl.facts dt { font-weight: 600; }
  dl.facts dd { margin: 0; min-width: 0; }
  input.wide { width: 100%; }
  .table-scroll table { overflow-wrap: normal; } .table-scroll th { white-space: nowrap; }
  table.history td:first-child { min-width: 9rem; }
  details.detail { margin-top: .25rem; } details.detail dl { display: grid; grid-template-columns: max-content 1fr; gap: 0 .75rem; margin: .25rem 0; font-size: .85rem; }
  details.detail dt { color: #606770; } details.detail dd { margin: 0; overflow-wrap: anywhere; }
  @media (max-width: 40rem) {
    dl.facts { grid-template-columns: 1fr; gap: 0; } dl.facts dd { margin-bottom: .5rem; }
    .card { padding: 1rem; } nav.admin { flex-wrap: wrap; }
  }
</style>`);

export function adminPage(title: string, frame: AdminFrame | undefined, body: SafeHtml): string {
  const nav = frame
    ? html`<nav class="admin" aria-label="Admin">
  <span class="links"><a href="/admin/overview">Overview</a> <a href="/admin">Connections</a> <a href="/admin/api-clients">API clients</a> <a href="/admin/webhooks">Webhooks</a></span>
  <span>Signed in as <strong>${frame.email}</strong>
    <form method="post" action="/admin/sign-out">${csrfField(frame)}<button type="submit" class="secondary">Sign out</button></form>
  </span>
</nav>`
    : '';
  return layout(`${title} · Admin`, html`${nav}${body}`, { banner: adminStyles });
}

/** A table that scrolls inside its card (never the page), reachable by keyboard. */
export function scrollTable(label: string, table: SafeHtml): SafeHtml {
  return html`<div class="table-scroll" role="region" aria-label="${label}" tabindex="0">${table}</div>`;
}

export function csrfField(frame: AdminFrame): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${frame.csrfToken}">`;
}

const statusWords: Record<ConnectionStatus, { words: string; tone: 'ok' | 'warn' | 'bad' }> = {
  active: { words: 'Active', tone: 'ok' },
  refresh_lost: { words: 'Refresh token lost', tone: 'warn' },
  needs_reauth: { words: 'Needs re-authorization', tone: 'bad' },
  expired: { words: 'Authorization expired', tone: 'bad' },
  suspended: { words: 'Suspended', tone: 'warn' },
  revoked: { words: 'Revoked', tone: 'bad' },
};

export function statusLabel(status: ConnectionStatus): SafeHtml {
  const { words, tone } = statusWords[status];
  return html`<span class="status status-${tone}">${words}</span>`;
}

/** Statuses in the order the console shows them (the keys of the table above). */
export const statusOrder = Object.keys(statusWords) as ConnectionStatus[];

export function statusWordsOf(status: ConnectionStatus): string {
  return statusWords[status].words;
}

const day = 86_400_000;

/** A date people can read, with how far away it is. */
export function when(date: Date | null, now: Date): SafeHtml {
  if (!date) return html`<span class="muted">never</span>`;
  const iso = date.toISOString();
  return html`<time datetime="${iso}">${iso.slice(0, 16).replace('T', ' ')} UTC</time> <small>(${relative(date, now)})</small>`;
}

function relative(date: Date, now: Date): string {
  const ms = date.getTime() - now.getTime();
  const abs = Math.abs(ms);
  const minutes = Math.max(1, Math.floor(abs / 60_000));
  const amount =
    abs >= 2 * day ? `${Math.floor(abs / day)} days` : abs >= 2 * 3_600_000 ? `${Math.floor(abs / 3_600_000)} hours` : `${minutes} minute${minutes === 1 ? '' : 's'}`;
  return ms >= 0 ? `in ${amount}` : `${amount} ago`;
}

/** The authorization (refresh token) expiry warning: within 30, 7 or 1 days, or already over. */
export function expiryBadge(expiresAt: Date, now: Date): SafeHtml {
  const left = expiresAt.getTime() - now.getTime();
  if (left <= 0) return html`<span class="badge badge-bad">expired</span>`;
  if (left <= day) return html`<span class="badge badge-bad">expires within 1 day</span>`;
  if (left <= 7 * day) return html`<span class="badge badge-warn">expires within 7 days</span>`;
  if (left <= 30 * day) return html`<span class="badge badge-warn">expires within 30 days</span>`;
  return html``;
}
