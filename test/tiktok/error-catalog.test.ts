import { describe, expect, it } from 'vitest';
import { catalogCodes, describeTikTokCode } from '../../src/tiktok/error-catalog.js';

const required = [
  401, 403, 429, 10001, 10002, 10003, 20001, 20002, 20003, 30001, 30002, 30003, 30004, 30005, 40001, 40002, 40003, 40004, 50001,
  50002, 50003, 50004, 90001, 90002, 90003, 90004, 105001, 105002, 105005, 101000, 106001, 106013, 36009002, 36009003, 36009004,
  36009007, 36009009, 36009010, 36009014, 36009021, 36009022, 36009023, 36009033, 36004001, 36004004, 36004005,
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

  describe('with a code TikTok does not document for TikTok Shop', () => {
    it('says so honestly', () => {
      expect(describeTikTokCode(20002).developerHint).toBe('TikTok did not document this code for TikTok Shop.');
    });
  });

  describe('with an unknown code', () => {
    it('returns a safe, non-retryable default', () => {
      expect(describeTikTokCode(12345678)).toMatchObject({ code: 12345678, kind: 'caller_bug', retryable: false });
    });
  });
});
