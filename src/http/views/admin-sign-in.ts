import { adminPage } from './admin-common.js';
import { html } from './html.js';

/** The development identity provider's sign-in form: type any e-mail address (development only). */
export function devSignInPage(input: { action: string; email?: string; error?: string }): string {
  return adminPage(
    'Development sign-in',
    undefined,
    html`<section class="card">
  <h1>Development sign-in</h1>
  <p class="status status-warn">Development only: whoever types an address here is signed in as it.</p>
  ${input.error ? html`<p class="error" role="alert" id="email-error">${input.error}</p>` : ''}
  <form method="post" action="${input.action}">
    <p><label for="email">E-mail address</label><br>
    <input id="email" name="email" type="email" required autofocus autocomplete="email" value="${input.email ?? ''}"
      ${input.error ? html`aria-invalid="true" aria-describedby="email-error"` : ''}></p>
    <button type="submit">Sign in</button>
  </form>
</section>`,
  );
}

export function signedOutPage(): string {
  return adminPage(
    'Signed out',
    undefined,
    html`<section class="card"><h1>You are signed out</h1><p><a class="button" href="/admin/overview">Sign in again</a></p></section>`,
  );
}
