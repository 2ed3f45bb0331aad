import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface DevSecrets {
  encryptionKeys: string;
  cookieSecret: string;
}

/** Secrets taken from the development file, and where it is (for the startup warning). */
export interface GeneratedSecrets {
  names: ('TOKEN_ENCRYPTION_KEYS' | 'COOKIE_SECRET')[];
  file: string;
}

/**
 * Development only: encryption keys and the cookie secret the environment does not set, generated
 * once into `$DATA_DIR/dev-secrets.json` so tokens stay readable across restarts. Called by
 * `loadConfig` alone; production refuses missing secrets before it gets here.
 */
export function resolveDevelopmentSecrets(
  dataDir: string,
  given: { encryptionKeys: string | undefined; cookieSecret: string | undefined },
): DevSecrets & { generated: GeneratedSecrets | undefined } {
  if (given.encryptionKeys && given.cookieSecret) {
    return { encryptionKeys: given.encryptionKeys, cookieSecret: given.cookieSecret, generated: undefined };
  }
  const file = join(dataDir, 'dev-secrets.json');
  let secrets: DevSecrets;
  if (existsSync(file)) {
    secrets = JSON.parse(readFileSync(file, 'utf8')) as DevSecrets;
  } else {
    mkdirSync(dataDir, { recursive: true });
    secrets = {
      encryptionKeys: `dev1:${randomBytes(32).toString('base64')}`,
      cookieSecret: randomBytes(32).toString('base64url'),
    };
    writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  }
  const names: GeneratedSecrets['names'] = [];
  if (!given.encryptionKeys) names.push('TOKEN_ENCRYPTION_KEYS');
  if (!given.cookieSecret) names.push('COOKIE_SECRET');
  return {
    encryptionKeys: given.encryptionKeys ?? secrets.encryptionKeys,
    cookieSecret: given.cookieSecret ?? secrets.cookieSecret,
    generated: { names, file },
  };
}
