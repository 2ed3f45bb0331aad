import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/shared/logger.js';
import { redactUrl } from '../../src/shared/redaction.js';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger('info', stream), text: () => lines.join('') };
}

describe('logger', () => {
  it('censors tokens, keys and secret headers by path', () => {
    const { logger, text } = capture();
    logger.info({ req: { headers: { authorization: 'Bearer tsc_key', 'x-api-key': 'tsc_other', 'x-tts-access-token': 'ROW_tok' } }, tokens: { accessToken: 'ROW_a', refreshToken: 'ROW_r' } }, 'x');
    expect(text()).not.toMatch(/tsc_key|tsc_other|ROW_tok|ROW_a|ROW_r/);
    expect(text()).toContain('[REDACTED]');
  });

  it('censors secret URL parameters anywhere in an error cause chain', () => {
    const { logger, text } = capture();
    const inner = new Error('connect ECONNREFUSED https://auth.tiktok-shops.com/api/v2/token/get?app_key=k&app_secret=SUPERSECRET&auth_code=CODE123');
    logger.error({ err: new Error('TikTok did not answer', { cause: inner }) }, 'failed');
    expect(text()).not.toMatch(/SUPERSECRET|CODE123/);
    expect(text()).toContain('app_secret=[REDACTED]');
  });
});

describe('redactUrl', () => {
  it('censors app_secret, sign, tokens, code and state, and keeps the rest', () => {
    expect(redactUrl('/api/v2/token/refresh?app_key=k&app_secret=s&refresh_token=r&grant_type=refresh_token')).toBe(
      '/api/v2/token/refresh?app_key=k&app_secret=[REDACTED]&refresh_token=[REDACTED]&grant_type=refresh_token',
    );
    expect(redactUrl('/oauth/tiktok/callback?code=abc&state=xyz&locale=en')).toBe('/oauth/tiktok/callback?code=[REDACTED]&state=[REDACTED]&locale=en');
    expect(redactUrl('/healthz')).toBe('/healthz');
  });

  it('censors connect-link tokens in paths and status-link signatures', () => {
    expect(redactUrl('/connect/AW2ngRGrO6abc/authorize')).toBe('/connect/[REDACTED]/authorize');
    expect(redactUrl('/connect/AW2ngRGrO6abc')).toBe('/connect/[REDACTED]');
    expect(redactUrl('/merchant/connections/c-1?sig=eyJhbGciOiJIUzI1NiJ9.x.y')).toBe('/merchant/connections/c-1?sig=[REDACTED]');
  });

  it('censors an API key sent by mistake in the query string (issue 15: it was logged in full), whatever its name and case', () => {
    expect(redactUrl('/v1/connections?api_key=tsc_abc_secret&limit=5')).toBe('/v1/connections?api_key=[REDACTED]&limit=5');
    expect(redactUrl('/v1/shops/1/token?API_KEY=tsc_abc_secret')).toBe('/v1/shops/1/token?API_KEY=[REDACTED]');
    expect(redactUrl('/v1/connections?apikey=a&key=b&token=c&x-api-key=d')).toBe('/v1/connections?apikey=[REDACTED]&key=[REDACTED]&token=[REDACTED]&x-api-key=[REDACTED]');
  });
});
