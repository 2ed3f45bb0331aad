import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from './config.js';
import type { Logger } from './shared/logger.js';

interface DevSecrets {
  encryptionKeys: string;
  cookieSecret: string;
}

/**
 * Development only: encryption keys and the cookie secret, generated once into `$DATA_DIR` so
 * tokens stay readable across restarts. Production refuses this in config.ts.
 */
export function withDevelopmentSecrets(config: Config, logger: Logger): Config {
  if (config.encryptionKeys && config.cookieSecret) return config;
  const file = join(config.dataDir, 'dev-secrets.json');
  let secrets: DevSecrets;
  if (existsSync(file)) {
    secrets = JSON.parse(readFileSync(file, 'utf8')) as DevSecrets;
  } else {
    mkdirSync(config.dataDir, { recursive: true });
    secrets = {
      encryptionKeys: `dev1:${randomBytes(32).toString('base64')}`,
      cookieSecret: randomBytes(32).toString('base64url'),
    };
    writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  }
  if (!config.encryptionKeys) {
    logger.warn({ file }, 'TOKEN_ENCRYPTION_KEYS is not set: using a development key kept in DATA_DIR (refused in production)');
  }
  if (!config.cookieSecret) {
    logger.warn({ file }, 'COOKIE_SECRET is not set: using a development secret kept in DATA_DIR (refused in production)');
  }
  return {
    ...config,
    encryptionKeys: config.encryptionKeys ?? secrets.encryptionKeys,
    cookieSecret: config.cookieSecret ?? secrets.cookieSecret,
  };
}
