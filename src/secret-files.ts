import { readFileSync } from 'node:fs';

/**
 * The settings that hold secrets. Each may also be given as `<NAME>_FILE`: the path of a file
 * holding the value (Docker and Kubernetes secrets, systemd credentials, Vault agent templates).
 */
export const secretSettingNames = [
  'DATABASE_URL',
  'TIKTOK_APP_SECRET',
  'TIKTOK_APPS',
  'TOKEN_ENCRYPTION_KEYS',
  'COOKIE_SECRET',
  'ADMIN_OIDC_CLIENT_SECRET',
  'METRICS_TOKEN',
] as const;
export type SecretSettingName = (typeof secretSettingNames)[number];

/** Where a secret setting's value came from: never the value itself, so it can be logged. */
export type SecretSource = { from: 'environment' } | { from: 'file'; path: string } | { from: 'unset' };

export interface SecretFileDescriptions {
  /** `<NAME>_FILE` → its description, for `.env.example` and the configuration table. */
  [fileSetting: string]: string;
}

/** The `_FILE` variables, each described once (the docs test checks `.env.example` and the table list them). */
export const secretFileSettings: SecretFileDescriptions = Object.fromEntries(
  secretSettingNames.map((name) => [`${name}_FILE`, `path of a file holding \`${name}\` (instead of \`${name}\`, never both)`]),
);

/** A `_FILE` setting is wrong: the message names the variable and what to do. */
export class SecretFileError extends Error {
  override readonly name = 'SecretFileError';
}

/**
 * Reads every `<NAME>_FILE` that is set into `<NAME>`, and says where each secret came from.
 * Trailing line breaks in the file are dropped (editors and `echo` add one). Setting both `NAME`
 * and `NAME_FILE`, an unreadable file, or an empty one, is an error.
 *
 * @example
 * const { env, sources } = resolveSecretFiles({ COOKIE_SECRET_FILE: '/run/secrets/cookie' });
 * env.COOKIE_SECRET // the file's content
 * sources.COOKIE_SECRET // { from: 'file', path: '/run/secrets/cookie' }
 */
export function resolveSecretFiles(
  env: Record<string, string | undefined>,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): { env: Record<string, string | undefined>; sources: Record<SecretSettingName, SecretSource> } {
  const resolved = { ...env };
  const sources = {} as Record<SecretSettingName, SecretSource>;
  for (const name of secretSettingNames) {
    const fileVariable = `${name}_FILE`;
    const path = blankToUndefined(env[fileVariable]);
    const direct = blankToUndefined(env[name]);
    if (path === undefined) {
      sources[name] = direct === undefined ? { from: 'unset' } : { from: 'environment' };
      continue;
    }
    if (direct !== undefined) {
      throw new SecretFileError(`${name}: set either ${name} or ${fileVariable}, not both`);
    }
    resolved[name] = readSecret(fileVariable, path, readFile);
    sources[name] = { from: 'file', path };
  }
  return { env: resolved, sources };
}

function readSecret(fileVariable: string, path: string, readFile: (path: string) => string): string {
  let content: string;
  try {
    content = readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));
    throw new SecretFileError(`${fileVariable}: cannot read ${path} (${code})`);
  }
  const value = content.replace(/[\r\n]+$/, '');
  if (value.trim() === '') throw new SecretFileError(`${fileVariable}: ${path} is empty`);
  return value;
}

function blankToUndefined(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

/**
 * The startup log's view of {@link SecretSource}s: which variable each secret came from, never its value.
 *
 * @example
 * describeSecretSources({ COOKIE_SECRET: { from: 'file', path: '/run/secrets/cookie' }, … })
 * // { COOKIE_SECRET: 'COOKIE_SECRET_FILE (/run/secrets/cookie)', TIKTOK_APP_SECRET: 'TIKTOK_APP_SECRET', DATABASE_URL: 'unset', … }
 */
export function describeSecretSources(sources: Record<SecretSettingName, SecretSource>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(sources).map(([name, source]) => [
      name,
      source.from === 'file' ? `${name}_FILE (${source.path})` : source.from === 'environment' ? name : 'unset',
    ]),
  );
}
