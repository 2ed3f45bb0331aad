import type { AdminConsole } from '../../admin/admin-console.js';
import type { Clock } from '../../shared/clock.js';
import { defineEndpoint, type Endpoint } from '../endpoint.js';
import { requireAdmin } from '../middleware/admin-session.js';
import { overviewPage } from '../views/admin-overview.js';

/** `/admin/overview`: what operators open first. */
export function adminOverviewEndpoints(deps: { admin: AdminConsole; clock: Clock }): Endpoint[] {
  return [
    defineEndpoint({
      method: 'get',
      path: '/admin/overview',
      summary: 'Overview: counts by status, the review queue, authorizations ending, refresh outcomes, open problems',
      tag: 'admin',
      auth: 'admin',
      audited: false,
      middleware: requireAdmin(deps.admin),
      handler: async (_input, req, res) => {
        const frame = { email: req.admin!.email, csrfToken: req.admin!.csrfToken, now: deps.clock.now() };
        res.type('html').send(overviewPage(await deps.admin.overview(), frame));
      },
    }),
  ];
}
