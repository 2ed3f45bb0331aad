import { describe, expect, it } from 'vitest';
import { describeProblem, expiryWarning } from '../../src/connections/merchant-status.js';
import { checkReturnUrl, returnUrlWithOutcome } from '../../src/connections/return-url.js';

describe('expiryWarning', () => {
  const now = new Date('2026-11-23T10:00:00.000Z');
  const inDays = (days: number) => new Date(now.getTime() + days * 86_400_000);
  it.each([
    [31, null],
    [30, 'Access ends within 30 days. Re-authorize before then to keep your shops connected.'],
    [7, 'Access ends within 7 days. Re-authorize before then to keep your shops connected.'],
    [1, 'Access ends in less than a day. Re-authorize before then to keep your shops connected.'],
    [0, 'Access has ended. Re-authorize to reconnect your shops.'],
  ])('with %i days left says %s', (days, expected) => {
    expect(expiryWarning(inDays(days), now)).toBe(expected);
  });
});

describe('describeProblem', () => {
  it('names the missing scope, the TikTok code and what to do', () => {
    expect(
      describeProblem({
        id: 'p', connectionId: 'c', kind: 'scope_missing', apiPath: '/finance/202309/statements', scopeKeys: ['seller.finance.info'],
        tiktokCode: 105005, tiktokMessage: 'Access denied', occurrences: 3, firstSeenAt: new Date(0), lastSeenAt: new Date(0),
        resolvedAt: null, resolution: null,
      }),
    ).toStrictEqual({
      title: 'Missing permission: Finance Information',
      explanation: 'The app is missing permission for Finance Information (TikTok error 105005).',
      whatToDo: 'The app developer must enable it in TikTok Partner Center; then re-authorize here.',
    });
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
