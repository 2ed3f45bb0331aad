import { describe, expect, it } from 'vitest';
import { catalogCodes, describeTikTokCode } from '../../src/tiktok/error-catalog.js';

const required = [
  401, 403, 429, 10001, 10002, 10003, 20001, 20002, 20003, 30001, 30002, 30003, 30004, 30005, 40001, 40002, 40003, 40004, 50001,
  50002, 50003, 50004, 90001, 90002, 90003, 90004, 105001, 105002, 105005, 101000, 106001, 106013, 36009002, 36009003, 36009004,
  36009007, 36009009, 36009010, 36009014, 36009021, 36009022, 36009023, 36009033, 36004001, 36004004, 36004005,
  // issue #11 item 9
  36004003, 12019004, 12052700, 16603010, 38023052, 10006402, 16032007, 12038002, 12038004, 12038005, 12019103, 12019104, 12019105,
];

describe('describeTikTokCode', () => {
  it('has an entry for every code the protocol document and the issue list', () => {
    expect(catalogCodes().sort((a, b) => a - b)).toStrictEqual([...required].sort((a, b) => a - b));
  });

  it('fills every field of every entry', () => {
    for (const code of required) {
      const entry = describeTikTokCode(code);
      expect(entry.code).toBe(code);
      for (const text of [entry.merchantExplanation, entry.developerHint, entry.remedy]) expect(text.length).toBeGreaterThan(10);
    }
  });

  describe('with 105005', () => {
    it('is a permission problem, never a token problem, with the Partner Center remedy', () => {
      expect(describeTikTokCode(105005)).toMatchObject({
        kind: 'permission',
        retryable: false,
        remedy:
          'The app developer must enable the API package (scope) in Partner Center > Manage API; then the merchant re-authorizes so the new scope is granted.',
      });
    });
  });

  describe('with 105001', () => {
    it('is grant_dead when the message says deauthorized', () => {
      expect(describeTikTokCode(105001, 'access token is invalid; detail: your token has been deauthorized').kind).toBe('grant_dead');
    });
    it('is token_expired otherwise (refresh once)', () => {
      expect(describeTikTokCode(105001, 'access token is invalid').kind).toBe('token_expired');
    });
  });

  describe('with 36009004', () => {
    it.each([
      ['Invalid credentials. The `x-tts-access-token` header is invalid.', 'token_expired'],
      ['Invalid timestamp. The value of the `timestamp` query parameter must not be earlier than 5 minutes before the current time.', 'caller_bug'],
      ['Unexpected identifier. The `shop_cipher` query parameter is not required for this request.', 'caller_bug'],
    ])('maps %j by its message to %s', (message, kind) => {
      expect(describeTikTokCode(36009004, message).kind).toBe(kind);
    });
    it('names the cipher problem in the developer hint', () => {
      expect(describeTikTokCode(36009004, 'The `shop_cipher` query parameter is not required').developerHint).toBe(
        'shop_cipher or category_asset_cipher sent where the API does not take it.',
      );
    });
  });

  it.each([
    [36009002, 'transient', true],
    [36009003, 'transient', true],
    [36009007, 'transient', true],
    [429, 'transient', true],
    [105002, 'token_expired', false],
    [36004001, 'grant_dead', false],
    [106001, 'caller_bug', false],
    [36009033, 'policy', false],
  ] as const)('classifies %i as %s (retryable %s)', (code, kind, retryable) => {
    expect(describeTikTokCode(code)).toMatchObject({ kind, retryable });
  });

  describe('with a code from generic articles (10001–90004)', () => {
    it('marks it as not a TikTok Shop Partner API code', () => {
      expect(describeTikTokCode(20002)).toMatchObject({
        source: 'generic-article',
        developerHint: "Not a TikTok Shop Partner API code: it comes from generic articles about TikTok Shop API errors, and TikTok Shop's Partner Center documents no such code.",
      });
      for (const code of [10001, 30005, 50004, 90004]) expect(describeTikTokCode(code).source).toBe('generic-article');
    });
  });

  describe('issue #11 item 9: codes a token service meets', () => {
    it.each([
      [36004003, 'policy', 'invalid client_key'],
      [12019004, 'policy', 'Seller is inactive'],
      [12052700, 'policy', 'The seller is inactive'],
      [38023052, 'policy', 'Seller is not authorised to access resource'],
      [10006402, 'policy', 'permission denied'],
    ] as const)('knows %i as %s from the Partner API docs', (code, kind, hint) => {
      const entry = describeTikTokCode(code);
      expect(entry).toMatchObject({ code, kind, retryable: false, source: 'partner-api' });
      expect(entry.developerHint).toContain(hint);
    });

    it('never sends the merchant to re-authorize for an inactive seller or a foreign resource', () => {
      for (const code of [12019004, 12052700, 38023052]) expect(describeTikTokCode(code).remedy).toMatch(/do not (re-authorize|retry)|not re-authorize/);
    });

    it('marks the token endpoint codes seen only in the field', () => {
      for (const code of [36004001, 36004004, 36004005]) expect(describeTikTokCode(code).source).toBe('field-report');
    });
  });

  describe('with an unknown code', () => {
    it('returns a safe, non-retryable default', () => {
      expect(describeTikTokCode(12345678)).toMatchObject({ code: 12345678, kind: 'caller_bug', retryable: false });
    });
  });
});
