import { describe, expect, it } from 'vitest';
import { offeredActions } from '../../src/admin/actions.js';
import { connectionStatuses } from '../../src/connections/lifecycle/index.js';

/** Issue #16: a connection's page offers only the actions that can work for its status, read from the transition table. */
describe('offeredActions', () => {
  it('offers each status what its transitions allow', () => {
    expect(Object.fromEntries(connectionStatuses.map((status) => [status, offeredActions(status)]))).toMatchObject({
      active: ['refresh', 'suspend', 'revoke', 'reauthorization-link'],
      // TikTok refuses the grant: only the merchant re-authorizing can help, so no "Refresh now".
      needs_reauth: ['revoke', 'reauthorization-link'],
      expired: ['revoke', 'reauthorization-link'],
      // A merchant re-authorizing never lifts a suspension: no link, only Resume.
      suspended: ['resume', 'revoke'],
      // Ended by an admin for good: the merchant connects again with a new connect link.
      revoked: [],
    });
  });

  it('never offers a status change the transition table refuses', () => {
    for (const status of connectionStatuses) {
      const offered = offeredActions(status);
      if (status !== 'active') expect(offered).not.toContain('suspend');
      if (status !== 'suspended') expect(offered).not.toContain('resume');
    }
  });
});
