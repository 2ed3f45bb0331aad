import { html } from './html.js';
import { layout } from './layout.js';

/** `GET /` in development: what the service is, a demo connect button (simulator only), and where to look next. */
export function homePage(options: { simulator: boolean }): string {
  return layout(
    'Home',
    html`<section class="card" aria-labelledby="home-heading">
  <h1 id="home-heading">TikTok Shop Connect</h1>
  <p>Merchants connect their TikTok Shop here. The service keeps their authorization alive, stores its tokens
  encrypted, and gives the company's internal apps signed access to the shops.</p>
  ${options.simulator
    ? html`<p class="problem">No TikTok credentials are configured: the built-in TikTok Shop simulator stands in for TikTok. For development only.</p>
  <form method="post" action="/demo/connect">
    <button type="submit">Connect a demo shop</button>
  </form>`
    : ''}
</section>
<section class="card" aria-labelledby="links-heading">
  <h2 id="links-heading">More</h2>
  <ul>
    ${options.simulator
      ? html`<li><a href="/simulator/app-store">Install from the App Store</a>: a seller installs the app from the (simulated) TikTok Shop App Store, with no connect link</li>`
      : ''}
    <li><a href="/admin/overview">Admin console</a>: overview, connections and API clients (sign-in required)</li>
    <li><a href="/healthz">/healthz</a>: the process is up</li>
    <li><a href="/readyz">/readyz</a>: the database answers</li>
  </ul>
</section>`,
  );
}

/** `GET /` in production: the name and the health endpoint, nothing else. */
export function productionHomePage(): string {
  return layout(
    'Home',
    html`<section class="card">
  <h1>TikTok Shop Connect</h1>
  <p><a href="/healthz">Health</a></p>
</section>`,
  );
}
