import { describe, expect, it } from 'vitest';
import { appOfChoice, chooseSessionApp, marketsOf } from '../../src/connections/app-choice.js';
import { AppForbidden, AppNotFound, ValidationFailed } from '../../src/shared/errors.js';
import { createTikTokApps, type TikTokAppInput } from '../../src/tiktok/index.js';

const app = (id: string, market: 'global' | 'us'): TikTokAppInput =>
  ({ id, market, appKey: `${id}-key`, appSecret: `${id}-secret`, serviceId: `${id}-service`, authorizeUrl: `https://${id}.example/authorize`, authBaseUrl: '', apiBaseUrl: '' }) as TikTokAppInput;

/** Issue #13: which app a connect link uses. */
describe('chooseSessionApp', () => {
  const one = createTikTokApps([app('default', 'global')]);
  const two = createTikTokApps([app('default', 'global'), app('us', 'us'), app('staging', 'global')]);

  it('takes the only market without asking', () => {
    expect(chooseSessionApp(one, {})).toBe('default');
    expect(appOfChoice(one, null, undefined)?.id).toBe('default');
  });
  it('leaves the choice to the merchant when several markets are served', () => {
    expect(chooseSessionApp(two, {})).toBeNull();
    expect(marketsOf(two.list)).toStrictEqual(['us', 'global']);
    expect(appOfChoice(two, null, undefined)).toBeUndefined();
    expect(appOfChoice(two, null, 'us')?.id).toBe('us');
    expect(appOfChoice(two, null, 'global')?.id).toBe('default');
  });
  it('takes a named app or the first app of a named market', () => {
    expect(chooseSessionApp(two, { app: 'staging' })).toBe('staging');
    expect(chooseSessionApp(two, { market: 'global' })).toBe('default');
    expect(chooseSessionApp(two, { market: 'us' })).toBe('us');
  });
  it('refuses an unknown app, a market nobody serves, and an app of the other market', () => {
    expect(() => chooseSessionApp(two, { app: 'eu' })).toThrow(AppNotFound);
    expect(() => chooseSessionApp(one, { market: 'us' })).toThrow(AppNotFound);
    expect(() => chooseSessionApp(two, { app: 'us', market: 'global' })).toThrow(ValidationFailed);
  });
  it("keeps a key limited to some apps within them", () => {
    expect(chooseSessionApp(two, { allowedApps: new Set(['us']) })).toBe('us');
    expect(() => chooseSessionApp(two, { app: 'default', allowedApps: new Set(['us']) })).toThrow(AppForbidden);
    expect(() => chooseSessionApp(two, { allowedApps: new Set(['us', 'staging']) })).toThrow(ValidationFailed);
    expect(chooseSessionApp(two, { market: 'global', allowedApps: new Set(['us', 'staging']) })).toBe('staging');
  });
});
