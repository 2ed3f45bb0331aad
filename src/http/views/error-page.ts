import { html } from './html.js';
import { layout } from './layout.js';

export function errorPage(error: { status: number; message: string; hint: string; code: string; requestId: string }): string {
  return layout(
    'Something went wrong',
    html`<div class="card error" role="alert">
  <h1>${error.status >= 500 ? 'Something went wrong' : 'We could not do that'}</h1>
  <p>${error.message}</p>
  <p><strong>What to do:</strong> ${error.hint}</p>
  <p><small>Reference: ${error.code} · ${error.requestId}</small></p>
</div>`,
  );
}
