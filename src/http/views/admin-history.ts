import { html, type SafeHtml } from './html.js';

/**
 * An audit event's detail as readable key/value pairs, folded: `requestId`-like ids as code,
 * durations (`…Ms`) in seconds, lists joined, nested objects one level deep.
 */
export function auditDetails(detail: Record<string, unknown> | null): SafeHtml {
  if (!detail || Object.keys(detail).length === 0) return html``;
  return html`<details class="detail"><summary>Details</summary><dl>${Object.entries(detail).map(
    ([key, value]) => html`<dt>${words(key)}</dt><dd>${valueOf(key, value)}</dd>`,
  )}</dl></details>`;
}

/** `grantedScopes` → `granted scopes`. */
function words(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/_/g, ' ').toLowerCase();
}

function valueOf(key: string, value: unknown): SafeHtml | string {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'number' && /(Ms|_ms)$/.test(key)) return formatDuration(value);
  if (Array.isArray(value)) return value.length === 0 ? 'none' : value.map((item) => (typeof item === 'object' ? JSON.stringify(item) : String(item))).join(', ');
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${words(k)}: ${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`)
      .join('; ');
  }
  return String(value);
}

/** `850 ms`, `1.2 s`, `3 min 5 s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return seconds === 0 ? `${minutes} min` : `${minutes} min ${seconds} s`;
}
