import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, settings } from '../src/config.js';
import { describeSecretSources, secretFileSettings, secretSettingNames } from '../src/secret-files.js';

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
      expect(config.tiktok.mode).toBe('simulator');
      // Issue #13: a newcomer sees two simulated apps, a global one and a US one, with their own keys.
      expect(config.tiktok.apps.map(({ id, market, authorizeUrl, simulatorPath }) => ({ id, market, authorizeUrl, simulatorPath }))).toStrictEqual([
        { id: 'global', market: 'global', authorizeUrl: 'http://localhost:3000/simulator/open/authorize', simulatorPath: '/simulator' },
        { id: 'us', market: 'us', authorizeUrl: 'http://localhost:3000/simulator/us/open/authorize', simulatorPath: '/simulator/us' },
      ]);
      expect(config.tiktok.apps[0]!.appKey).not.toBe(config.tiktok.apps[1]!.appKey);
      expect(config.tiktok.apps[0]!.appSecret).not.toBe(config.tiktok.apps[1]!.appSecret);
    });
    it('runs one simulated app, `default`, under NODE_ENV=test', () => {
      expect(loadConfig({ NODE_ENV: 'test' }).tiktok.apps.map((app) => app.id)).toStrictEqual(['default']);
    });
  });

  describe('issue #13: several TikTok Shop apps', () => {
    const single = { TIKTOK_APP_KEY: 'global-key', TIKTOK_APP_SECRET: 'global-secret', TIKTOK_SERVICE_ID: 'global-service' };
    const us = { id: 'us', appKey: 'us-key', appSecret: 'us-secret-value', serviceId: 'us-service', market: 'us' };

    it('keeps the single-app variables as the app `default`, and adds TIKTOK_APPS with hosts by market', () => {
      const config = loadConfig({ ...single, TIKTOK_APPS: JSON.stringify([us, { ...us, id: 'staging', appKey: 'staging-key', market: 'global', apiBaseUrl: 'https://api.example.com/' }]) });
      expect(config.tiktok.mode).toBe('live');
      expect(config.tiktok.apps).toStrictEqual([
        {
          id: 'default', market: 'global', appKey: 'global-key', appSecret: 'global-secret', serviceId: 'global-service',
          authorizeUrl: 'https://services.tiktokshop.com/open/authorize', authBaseUrl: 'https://auth.tiktok-shops.com', apiBaseUrl: 'https://open-api.tiktokglobalshop.com',
        },
        {
          id: 'us', market: 'us', appKey: 'us-key', appSecret: 'us-secret-value', serviceId: 'us-service',
          authorizeUrl: 'https://services.tiktokshops.us/open/authorize', authBaseUrl: 'https://auth.tiktok-shops.com', apiBaseUrl: 'https://open-api.tiktokglobalshop.com',
        },
        {
          id: 'staging', market: 'global', appKey: 'staging-key', appSecret: 'us-secret-value', serviceId: 'us-service',
          authorizeUrl: 'https://services.tiktokshop.com/open/authorize', authBaseUrl: 'https://auth.tiktok-shops.com', apiBaseUrl: 'https://api.example.com',
        },
      ]);
    });

    it('runs with TIKTOK_APPS alone (no app `default`)', () => {
      expect(loadConfig({ TIKTOK_APPS: JSON.stringify([us]) }).tiktok.apps.map((app) => app.id)).toStrictEqual(['us']);
    });

    it.each([
      ['not JSON', '[{', /^TIKTOK_APPS: not JSON/],
      ['not an array', '{}', /^TIKTOK_APPS: a JSON array of apps is expected/],
      ['a missing secret', JSON.stringify([{ ...us, appSecret: '' }]), /^TIKTOK_APPS\[us\]\.appSecret: required$/],
      ['an unknown market', JSON.stringify([{ ...us, market: 'eu' }]), /^TIKTOK_APPS\[us\]\.market: /],
      ['a bad host', JSON.stringify([{ ...us, authBaseUrl: 'ftp://x' }]), /^TIKTOK_APPS\[us\]\.authBaseUrl: /],
      ['an unknown field', JSON.stringify([{ ...us, secret: 'x' }]), /^TIKTOK_APPS\[us\]: unknown field "secret"$/],
      ['a bad id', JSON.stringify([{ ...us, id: 'US App' }]), /^TIKTOK_APPS\[US App\]\.id: /],
      ['the id `default`', JSON.stringify([{ ...us, id: 'default' }]), /^TIKTOK_APPS\[default\]\.id: "default" is the app of TIKTOK_APP_KEY/],
      ['two apps with one id', JSON.stringify([us, { ...us, appKey: 'other' }]), /^TIKTOK_APPS\[us\]\.id: two apps have the id "us"$/],
    ])('names the app and the field for %s, never a secret', (_case, value, message) => {
      let thrown: unknown;
      try {
        loadConfig({ ...single, TIKTOK_APPS: value });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ConfigError);
      expect((thrown as Error).message).toMatch(message);
      expect((thrown as Error).message).not.toContain('us-secret-value');
    });

    it('refuses two apps with one app key in production only', () => {
      const twice = JSON.stringify([{ ...us, appKey: live.TIKTOK_APP_KEY }]);
      expect(loadConfig({ ...live, TIKTOK_APPS: twice }).tiktok.apps).toHaveLength(2);
      expect(() => loadConfig({ ...production, TIKTOK_APPS: twice })).toThrow(/^TIKTOK_APPS\[us\]\.appKey: the same app key as the app "default" \(refused in production\)$/);
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

  describe('secrets from files (<NAME>_FILE)', () => {
    const directory = mkdtempSync(join(tmpdir(), 'secret-files-'));
    const secretFile = (name: string, content: string) => {
      const path = join(directory, name);
      writeFileSync(path, content, { mode: 0o600 });
      return path;
    };

    it('reads every secret setting from its file, dropping the trailing line break', () => {
      const values: Record<string, string> = {
        DATABASE_URL: 'postgresql://connect:p%40ss@db.internal:5432/connect',
        TIKTOK_APP_SECRET: 'app-secret-from-a-file',
        TIKTOK_APPS: '[{"id":"us","appKey":"us-key","appSecret":"us-secret-from-a-file","serviceId":"us-service","market":"us"}]',
        TOKEN_ENCRYPTION_KEYS: 'k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=',
        COOKIE_SECRET: 'c'.repeat(40),
        ADMIN_OIDC_CLIENT_SECRET: 'oidc-client-secret',
        METRICS_TOKEN: 'm'.repeat(24),
      };
      expect(Object.keys(values).sort()).toStrictEqual([...secretSettingNames].sort());
      const env = Object.fromEntries(Object.entries(values).map(([name, value]) => [`${name}_FILE`, secretFile(name, `${value}\n`)]));
      const config = loadConfig({ ...production, ...env, TIKTOK_APP_SECRET: undefined, TOKEN_ENCRYPTION_KEYS: undefined, COOKIE_SECRET: undefined });
      expect(config.databaseUrl).toBe(values.DATABASE_URL);
      expect(config.tiktok.apps[0]!.appSecret).toBe(values.TIKTOK_APP_SECRET);
      expect(config.tiktok.apps[1]!.appSecret).toBe('us-secret-from-a-file');
      expect(config.encryptionKeys).toBe(values.TOKEN_ENCRYPTION_KEYS);
      expect(config.cookieSecret).toBe(values.COOKIE_SECRET);
      expect(config.admin.clientSecret).toBe(values.ADMIN_OIDC_CLIENT_SECRET);
      expect(config.metrics.token).toBe(values.METRICS_TOKEN);
      for (const name of secretSettingNames) expect(config.secretSources[name]).toStrictEqual({ from: 'file', path: env[`${name}_FILE`] });
    });

    it('says which source each secret came from, and never the value', () => {
      const config = loadConfig({ COOKIE_SECRET: 'x'.repeat(40), TIKTOK_APP_SECRET_FILE: '' });
      expect(config.secretSources).toStrictEqual({
        DATABASE_URL: { from: 'unset' },
        TIKTOK_APP_SECRET: { from: 'unset' },
        TIKTOK_APPS: { from: 'unset' },
        TOKEN_ENCRYPTION_KEYS: { from: 'unset' },
        COOKIE_SECRET: { from: 'environment' },
        ADMIN_OIDC_CLIENT_SECRET: { from: 'unset' },
        METRICS_TOKEN: { from: 'unset' },
      });
      expect(JSON.stringify(config.secretSources)).not.toContain('x'.repeat(40));
    });

    it('describes the sources for the startup log: the variable (and file) each came from, never a value', () => {
      const cookieFile = secretFile('cookie-for-log', 'z'.repeat(40));
      const config = loadConfig({ COOKIE_SECRET_FILE: cookieFile, TIKTOK_APP_KEY: 'k', TIKTOK_APP_SECRET: 'app-secret-value', TIKTOK_SERVICE_ID: '1' });
      const line = describeSecretSources(config.secretSources);
      expect(line).toStrictEqual({
        DATABASE_URL: 'unset',
        TIKTOK_APP_SECRET: 'TIKTOK_APP_SECRET',
        TIKTOK_APPS: 'unset',
        TOKEN_ENCRYPTION_KEYS: 'unset',
        COOKIE_SECRET: `COOKIE_SECRET_FILE (${cookieFile})`,
        ADMIN_OIDC_CLIENT_SECRET: 'unset',
        METRICS_TOKEN: 'unset',
      });
      expect(JSON.stringify(line)).not.toMatch(/app-secret-value|zzzz/);
    });

    it('refuses a secret set both ways', () => {
      const env = { COOKIE_SECRET: 'x'.repeat(40), COOKIE_SECRET_FILE: secretFile('cookie-both', 'y'.repeat(40)) };
      expect(() => loadConfig(env)).toThrow(ConfigError);
      expect(() => loadConfig(env)).toThrow('COOKIE_SECRET: set either COOKIE_SECRET or COOKIE_SECRET_FILE, not both');
    });

    it('refuses a missing file, naming the variable and the path', () => {
      const path = join(directory, 'does-not-exist');
      expect(() => loadConfig({ TIKTOK_APP_SECRET_FILE: path })).toThrow(`TIKTOK_APP_SECRET_FILE: cannot read ${path} (ENOENT)`);
    });

    it('refuses a path that is not a readable file', () => {
      expect(() => loadConfig({ METRICS_TOKEN_FILE: directory })).toThrow(`METRICS_TOKEN_FILE: cannot read ${directory} (EISDIR)`);
    });

    it('refuses an empty file', () => {
      const path = secretFile('empty', '\n');
      expect(() => loadConfig({ COOKIE_SECRET_FILE: path })).toThrow(`COOKIE_SECRET_FILE: ${path} is empty`);
    });

    it('validates a value read from a file like one from the environment', () => {
      expect(() => loadConfig({ COOKIE_SECRET_FILE: secretFile('short-cookie', 'short') })).toThrow(/^COOKIE_SECRET: at least 32 characters/);
    });
  });

  describe('documentation', () => {
    const example = readFileSync(new URL('../.env.example', import.meta.url), 'utf8');
    // The configuration table lives in docs/configuration.md (the README links to it).
    const table = readFileSync(new URL('../docs/configuration.md', import.meta.url), 'utf8');
    const rows = table.split('\n').filter((line) => line.startsWith('| `'));
    it.each([...Object.keys(settings), ...Object.keys(secretFileSettings)])('.env.example and the configuration table describe %s', (name) => {
      expect(example).toMatch(new RegExp(`^#? ?${name}=`, 'm'));
      expect(rows.some((row) => row.split(' | ')[0]!.includes(`\`${name}\``))).toBe(true);
    });
  });
});
