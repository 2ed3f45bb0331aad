import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, settings } from '../src/config.js';

const live = { TIKTOK_APP_KEY: 'key', TIKTOK_APP_SECRET: 'secret', TIKTOK_SERVICE_ID: '123' };
const production = {
  ...live,
  NODE_ENV: 'production',
  PUBLIC_URL: 'https://connect.example.com',
  TOKEN_ENCRYPTION_KEYS: 'k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=',
  COOKIE_SECRET: 'x'.repeat(40),
  ADMIN_OIDC_ISSUER: 'https://login.example.com',
  ADMIN_OIDC_CLIENT_ID: 'connect',
  ADMIN_EMAILS: 'ops@example.com',
};

describe('loadConfig', () => {
  describe('with no settings at all', () => {
    it('runs in development on port 3000 with PGlite and the simulator', () => {
      const config = loadConfig({});
      expect(config).toMatchObject({ env: 'development', port: 3000, publicUrl: 'http://localhost:3000', databaseUrl: undefined, dataDir: './data' });
      expect(config.tiktok).toMatchObject({ mode: 'simulator', authorizeUrl: 'http://localhost:3000/simulator/open/authorize' });
    });
  });

  describe('with a bad value', () => {
    it('throws one line naming the variable and what it expects', () => {
      expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
      expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/^PORT: .*\(HTTP port\)$/);
      expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/^DATABASE_URL: a postgresql:\/\/ URL/);
      expect(() => loadConfig({ COOKIE_SECRET: 'short' })).toThrow(/^COOKIE_SECRET: at least 32 characters/);
      expect(() => loadConfig({ RETURN_URL_ALLOWLIST: 'not a url' })).toThrow(
        'RETURN_URL_ALLOWLIST: "not a url" is not an origin such as https://app.example.com',
      );
    });
  });

  describe('with only some TikTok credentials', () => {
    it('names the missing one', () => {
      expect(() => loadConfig({ TIKTOK_APP_KEY: 'key' })).toThrow(/^TIKTOK_APP_SECRET: required when any TikTok credential is set/);
    });
  });

  describe('with NODE_ENV=production', () => {
    it('accepts a complete production configuration', () => {
      expect(loadConfig(production).tiktok.mode).toBe('live');
    });
    it.each([
      ['TIKTOK_APP_KEY', { TIKTOK_APP_KEY: '', TIKTOK_APP_SECRET: '', TIKTOK_SERVICE_ID: '' }, /simulator is for development only/],
      ['TOKEN_ENCRYPTION_KEYS', { TOKEN_ENCRYPTION_KEYS: '' }, /generated keys are for development only/],
      ['COOKIE_SECRET', { COOKIE_SECRET: '' }, /generated secret is for development only/],
      ['ADMIN_OIDC_ISSUER', { ADMIN_OIDC_ISSUER: undefined }, /development identity provider is refused/],
      ['ADMIN_EMAILS', { ADMIN_EMAILS: '' }, /who may enter \/admin/],
      ['PUBLIC_URL', { PUBLIC_URL: 'http://connect.example.com' }, /https:\/\/ URL is required/],
    ])('refuses to start without %s', (name, override, message) => {
      expect(() => loadConfig({ ...production, ...override })).toThrow(new RegExp(`^${name}: `));
      expect(() => loadConfig({ ...production, ...override })).toThrow(message);
    });
  });

  describe('documentation', () => {
    const example = readFileSync(new URL('../.env.example', import.meta.url), 'utf8');
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    it.each(Object.keys(settings))('.env.example and the README describe %s', (name) => {
      expect(example).toMatch(new RegExp(`^#? ?${name}=`, 'm'));
      expect(readme).toContain(`\`${name}\``);
    });
  });
});
