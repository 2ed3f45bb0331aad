import { describe, expect, it } from 'vitest';
import { verifyWebhookSignature, webhookSignature } from '../../src/tiktok/webhook-verify.js';

// EcomPHP/tiktokshop-php tests/WebhookTest.php (protocol document §5.3).
const appKey = 'fake_app_key';
const appSecret = 'fake_app_secret';
const body =
  '{"type":1,"shop_id":"7494726673780148744","timestamp":1664095733,"data":{"order_id":"576684019603311365","order_status":"AWAITING_SHIPMENT","update_time":1664095610}}';
const authorization = '21109834de72ec53c9959716d8514ae388ce1f123e5ffdcafc46713fcdf62b27';

describe('webhookSignature', () => {
  it("reproduces EcomPHP's public vector", () => {
    expect(webhookSignature(appKey, appSecret, body)).toBe(authorization);
    expect(webhookSignature(appKey, appSecret, Buffer.from(body))).toBe(authorization);
  });
});

describe('verifyWebhookSignature', () => {
  const rawBody = Buffer.from(body, 'utf8');

  it('accepts the vector', () => {
    expect(verifyWebhookSignature({ appKey, appSecret, rawBody, authorization })).toBe(true);
  });
  it('rejects a body changed by one byte (re-serialised JSON included)', () => {
    expect(verifyWebhookSignature({ appKey, appSecret, rawBody: Buffer.from(JSON.stringify(JSON.parse(body), null, 1)), authorization })).toBe(false);
  });
  it('rejects a missing, short or non-hex header', () => {
    for (const header of [undefined, '', 'abc', `Bearer ${authorization}`, 'z'.repeat(64)]) {
      expect(verifyWebhookSignature({ appKey, appSecret, rawBody, authorization: header })).toBe(false);
    }
  });
  it('rejects the right body under another secret', () => {
    expect(verifyWebhookSignature({ appKey, appSecret: 'other', rawBody, authorization })).toBe(false);
  });
});
