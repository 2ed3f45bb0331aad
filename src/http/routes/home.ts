import type { ConnectionsService } from '../../connections/index.js';
import { defineEndpoint, type Endpoint } from '../endpoint.js';
import { homePage, productionHomePage } from '../views/home.js';
import { faviconSvg } from '../views/layout.js';

export const demoMerchantRef = 'demo-merchant';

/**
 * `/`: in development, what the service is and, with the simulator, a demo connect button; in
 * production, only the name and health. `POST /demo/connect` needs no credential, so it exists only
 * in simulator mode (never with live TikTok credentials, whatever NODE_ENV says).
 */
export function homeEndpoints(deps: {
  connections: ConnectionsService;
  config: { env: string; tiktok: { mode: 'live' | 'simulator' } };
}): Endpoint[] {
  const production = deps.config.env === 'production';
  const home = defineEndpoint({
    method: 'get',
    path: '/',
    summary: 'Home page',
    tag: 'merchant',
    auth: 'none',
    audited: false,
    handler: (_input, _req, res) => {
      res.type('html').send(production ? productionHomePage() : homePage({ simulator: deps.config.tiktok.mode === 'simulator' }));
    },
  });
  const icons = ['/favicon.svg', '/favicon.ico'].map((path) =>
    defineEndpoint({
      method: 'get',
      path,
      summary: 'The site icon (SVG)',
      tag: 'merchant',
      auth: 'none',
      audited: false,
      handler: (_input, _req, res) => {
        res.set('Cache-Control', 'public, max-age=86400').type('image/svg+xml').send(faviconSvg);
      },
    }),
  );
  if (production || deps.config.tiktok.mode !== 'simulator') return [home, ...icons];
  return [
    home,
    ...icons,
    defineEndpoint({
      method: 'post',
      path: '/demo/connect',
      summary: 'Development: a connect link for the demo merchant, followed at once',
      tag: 'merchant',
      auth: 'none',
      audited: true,
      handler: async (_input, req, res) => {
        const session = await deps.connections.createConnectSession({ merchantRef: demoMerchantRef }, { requestId: req.id });
        res.redirect(303, new URL(session.url).pathname);
      },
    }),
  ];
}
