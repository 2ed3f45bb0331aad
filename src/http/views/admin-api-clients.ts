import type { ApiClientSummary } from '../../apps/api-clients.js';
import { apiScopes } from '../../apps/scopes.js';
import { adminPage, csrfField, scrollTable, when, type AdminFrame } from './admin-common.js';
import { appLabel, type AppLabel } from './admin-connections.js';
import { html, type SafeHtml } from './html.js';

/** What the create form was sent, to show it again with its errors. */
export interface ClientForm {
  name: string;
  scopes: string[];
  shopIds: string;
  /** App ids ticked (none: every app). */
  apps: string[];
  rateLimitPerMinute: string;
  errors: Partial<Record<'name' | 'scopes' | 'shopIds' | 'apps' | 'rateLimitPerMinute', string>>;
}

const emptyForm: ClientForm = { name: '', scopes: [...apiScopes], shopIds: '', apps: [], rateLimitPerMinute: '', errors: {} };

const scopeWords: Record<(typeof apiScopes)[number], string> = {
  connect: 'create connect links for merchants',
  'connections:read': 'read connections and their problems',
  'tokens:read': "read shops' access tokens",
  sign: 'sign TikTok requests',
  proxy: 'call TikTok through the proxy',
  'webhooks:manage': 'manage webhook subscriptions (pushed TikTok and connection events)',
};

/** `/admin/api-clients`: the clients with masked keys, a revoke step each, and the create form. */
export function apiClientsPage(clients: ApiClientSummary[], frame: AdminFrame, apps: readonly AppLabel[], form: ClientForm = emptyForm, notice?: string): string {
  const active = clients.filter((client) => !client.revokedAt);
  return adminPage(
    'API clients',
    frame,
    html`<h1>API clients</h1>
${notice ? html`<div class="card notice" role="status"><p>${notice}</p></div>` : ''}
<section class="card" aria-labelledby="clients-title">
  <h2 id="clients-title">Clients (${active.length} active, ${clients.length - active.length} revoked)</h2>
  ${clients.length === 0 ? html`<p>No API clients yet: create the first one below.</p>` : clientsTable(clients, frame, apps)}
</section>
<section class="card" aria-labelledby="create-title">
  <h2 id="create-title">Create an API client</h2>
  <p>The key is shown once, right after you create the client; only a hash of it is kept.</p>
  ${createForm(form, frame, apps)}
</section>`,
  );
}

/** `every app`, or the apps a key is limited to with their markets. */
function appsOf(client: Pick<ApiClientSummary, 'apps'>, apps: readonly AppLabel[]): string {
  return client.apps.length === 0 ? 'every app' : client.apps.map((id) => appLabel(id, apps)).join(', ');
}

function clientsTable(clients: ApiClientSummary[], frame: AdminFrame, apps: readonly AppLabel[]): SafeHtml {
  return scrollTable(
    'API clients table',
    html`<table><thead><tr><th scope="col">Name</th><th scope="col">Key</th><th scope="col">Scopes</th><th scope="col">Shops</th>
  <th scope="col">Apps</th><th scope="col">Limit per minute</th><th scope="col">Created</th><th scope="col">State</th></tr></thead>
  <tbody>${clients.map(
    (client) => html`<tr><td>${client.name}</td><td><code>${client.maskedKey}</code></td><td>${client.scopes.join(', ')}</td>
    <td>${client.shopIds.length === 0 ? 'every shop' : client.shopIds.join(', ')}</td><td>${appsOf(client, apps)}</td><td>${client.rateLimitPerMinute ?? 'default'}</td>
    <td>${when(new Date(client.createdAt), frame.now)}</td>
    <td>${client.revokedAt
      ? html`revoked ${when(new Date(client.revokedAt), frame.now)}`
      : html`<a class="button secondary" href="/admin/api-clients/${client.id}/revoke" aria-label="Revoke ${client.name}&hellip;">Revoke&hellip;</a>`}</td></tr>`,
  )}</tbody></table>`,
  );
}

function createForm(form: ClientForm, frame: AdminFrame, apps: readonly AppLabel[]): SafeHtml {
  const error = (field: keyof ClientForm['errors']) =>
    form.errors[field] ? html`<span class="error-text" id="${field}-error">${form.errors[field]}</span>` : '';
  const described = (field: keyof ClientForm['errors']) => (form.errors[field] ? html` aria-invalid="true" aria-describedby="${field}-error"` : '');
  return html`<form method="post" action="/admin/api-clients" class="stack">
  ${csrfField(frame)}
  <p><label for="client-name">Name (the internal app that will use the key)</label><br>
  <input id="client-name" name="name" required maxlength="100" class="wide" value="${form.name}"${described('name')}> ${error('name')}</p>
  <fieldset${described('scopes')}><legend>Scopes</legend>
    ${apiScopes.map(
      (scope) => html`<div><input type="checkbox" id="scope-${scope}" name="scopes" value="${scope}"${form.scopes.includes(scope) ? html` checked` : ''}>
      <label for="scope-${scope}"><code>${scope}</code>: ${scopeWords[scope]}</label></div>`,
    )}
    ${error('scopes')}
  </fieldset>
  <p><label for="client-shops">Limit to shop ids (comma-separated; empty: every shop)</label><br>
  <input id="client-shops" name="shopIds" class="wide" value="${form.shopIds}"${described('shopIds')}> ${error('shopIds')}</p>
  ${apps.length > 1 || form.errors.apps
    ? html`<fieldset${described('apps')}><legend>TikTok Shop apps (none ticked: every app)</legend>
    ${apps.map(
      (app) => html`<div><input type="checkbox" id="app-${app.id}" name="apps" value="${app.id}"${form.apps.includes(app.id) ? html` checked` : ''}>
      <label for="app-${app.id}">${appLabel(app.id, apps)}</label></div>`,
    )}
    ${error('apps')}
  </fieldset>`
    : ''}
  <p><label for="client-rate">Requests per minute (empty: the default)</label><br>
  <input id="client-rate" name="rateLimitPerMinute" inputmode="numeric" value="${form.rateLimitPerMinute}"${described('rateLimitPerMinute')}> ${error('rateLimitPerMinute')}</p>
  <button type="submit">Create API client</button>
</form>`;
}

/** After creating: the key, once, with a copy button (and the field to select by hand without JavaScript). */
export function apiClientCreatedPage(client: ApiClientSummary & { key: string }, frame: AdminFrame): string {
  return adminPage(
    `API client ${client.name} created`,
    frame,
    html`<p><a href="/admin/api-clients">&larr; All API clients</a></p>
<section class="card notice" aria-labelledby="created-title">
  <h1 id="created-title">API client ${client.name} created</h1>
  <p><strong>Copy the key now.</strong> It is shown only this once; if it is lost, revoke the client and create another.</p>
  <p><label for="api-key">API key for ${client.name}</label><br>
  <input type="text" id="api-key" class="wide key" value="${client.key}" readonly></p>
  <p><button type="button" data-copy="api-key" hidden>Copy key</button> <span role="status" id="copy-status"></span></p>
  <p>Scopes: ${client.scopes.join(', ')}. Shops: ${client.shopIds.length === 0 ? 'every shop' : client.shopIds.join(', ')}.
  Apps: ${client.apps.length === 0 ? 'every app' : client.apps.join(', ')}.
  Send it as <code>X-API-Key: &lt;key&gt;</code>.</p>
</section>
<script src="/admin/assets/copy.js" defer></script>`,
  );
}

/** The confirm step before revoking a client's key. */
export function revokeClientPage(client: ApiClientSummary, frame: AdminFrame): string {
  return adminPage(
    `Revoke ${client.name}`,
    frame,
    html`<p><a href="/admin/api-clients">&larr; All API clients</a></p>
<section class="card error" aria-labelledby="revoke-title">
  <h1 id="revoke-title">Revoke ${client.name}?</h1>
  <p>Its key <code>${client.maskedKey}</code> stops working on every replica within 5 seconds. This cannot be undone.</p>
  <form method="post" action="/admin/api-clients/${client.id}/revoke">
    ${csrfField(frame)}
    <input type="hidden" name="confirm" value="yes">
    <div class="actions"><button type="submit" class="danger">Yes, revoke</button> <a class="button secondary" href="/admin/api-clients">Cancel</a></div>
  </form>
</section>`,
  );
}

/** The copy button's script (served from this origin; the pages allow no inline script). */
export const copyScript = `document.querySelectorAll('button[data-copy]').forEach(function (button) {
  button.hidden = false;
  button.addEventListener('click', function () {
    var field = document.getElementById(button.getAttribute('data-copy'));
    var status = document.getElementById('copy-status');
    field.select();
    var done = function () { status.textContent = 'Copied to the clipboard.'; };
    if (navigator.clipboard) navigator.clipboard.writeText(field.value).then(done, function () { status.textContent = 'Select the key and copy it.'; });
    else { document.execCommand('copy'); done(); }
  });
});
`;
