import { describe, expect, it } from 'vitest';
import { describeProblem, expiryLevel, problemCause } from '../../src/connections/merchant-status.js';
import { checkReturnUrl, returnUrlWithOutcome } from '../../src/connections/return-url.js';

describe('expiryLevel', () => {
  const now = new Date('2026-11-23T10:00:00.000Z');
  const inDays = (days: number) => new Date(now.getTime() + days * 86_400_000);
  it.each([
    [31, null],
    [30, 'month'],
    [7, 'week'],
    [1, 'day'],
    [0, 'ended'],
  ] as const)('with %i days left is %s', (days, expected) => {
    expect(expiryLevel(inDays(days), now)).toBe(expected);
  });
});

describe('describeProblem', () => {
  const problem = {
    id: 'p', connectionId: 'c', kind: 'scope_missing' as const, apiPath: '/finance/202309/statements', scopeKeys: ['seller.finance.info'],
    tiktokCode: 105005, tiktokMessage: 'Access denied', occurrences: 3, firstSeenAt: new Date(0), lastSeenAt: new Date(0),
    resolvedAt: null, resolution: null,
  };
  it('names an API package the app does not ask for as the developer\'s to enable in Partner Center', () => {
    expect(problemCause(problem, ['seller.order.info'])).toBe('app_lacks_package');
    expect(describeProblem(problem, ['seller.order.info'])).toStrictEqual({
      title: 'Missing API package: Finance Information',
      explanation: 'The app is missing permission for Finance Information (TikTok error 105005).',
      whatToDo: 'The app developer must enable the API package in TikTok Partner Center (Manage API); then the merchant re-authorizes.',
    });
  });
  it('names a permission the app asks for and the grant lacks as unticked by the merchant', () => {
    const orders = { ...problem, apiPath: '/order/202309/orders/search', scopeKeys: ['seller.order.info'] };
    expect(problemCause(orders, ['seller.shop.info'])).toBe('permission_not_granted');
    expect(describeProblem(orders, ['seller.shop.info'])).toStrictEqual({
      title: 'Permission not granted: Order Information',
      explanation: 'The merchant did not grant Order Information when approving (TikTok error 105005).',
      whatToDo: 'Send the merchant a re-authorization link; they re-authorize and keep the permission ticked.',
    });
  });
  it('blames the app when TikTok refuses a permission that was granted', () => {
    expect(problemCause({ scopeKeys: ['seller.order.info'] }, ['seller.order.info'])).toBe('app_lacks_package');
  });
});

describe('checkReturnUrl', () => {
  const allow = ['https://app.example.com', 'http://localhost:5173'];
  it('accepts an exact origin match, keeping path and query', () => {
    expect(checkReturnUrl('https://app.example.com/done?x=1', allow)).toBe('https://app.example.com/done?x=1');
    expect(checkReturnUrl('http://localhost:5173/', allow)).toBe('http://localhost:5173/');
  });
  it.each([
    ['http://app.example.com/', 'returnUrl origin http://app.example.com is not on the allow-list (RETURN_URL_ALLOWLIST).'],
    ['https://app.example.com:8443/', 'returnUrl origin https://app.example.com:8443 is not on the allow-list (RETURN_URL_ALLOWLIST).'],
    ['https://user:pw@app.example.com/', 'returnUrl must not carry credentials.'],
    ['data:text/html,hi', 'returnUrl must be an http or https URL.'],
    ['/relative', 'returnUrl is not an absolute URL.'],
  ])('refuses %s', (value, message) => {
    expect(() => checkReturnUrl(value, allow)).toThrowError(expect.objectContaining({ code: 'return_url_not_allowed', message }));
  });
  it('adds connectionId and outcome to the query', () => {
    expect(returnUrlWithOutcome('https://app.example.com/done?x=1&outcome=forged', { connectionId: 'c1', outcome: 'created' })).toBe(
      'https://app.example.com/done?x=1&outcome=created&connectionId=c1',
    );
  });
});
