import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { DatabaseTarget } from './database.js';

/**
 * Where the migrations live: `prisma/migrations` (Prisma's layout) in the project that holds this
 * file, whether it runs from `src/db` (tsx, tests) or from the `dist` bundle `npm start` builds.
 */
export const migrationsDirectory = projectDirectory(import.meta.dirname, join('prisma', 'migrations'));

function projectDirectory(from: string, inside: string): string {
  for (let directory = from; ; directory = dirname(directory)) {
    if (existsSync(join(directory, inside))) return join(directory, inside);
    if (dirname(directory) === directory) throw new Error(`no ${inside} above ${from}`);
  }
}

/** Postgres when a URL is configured, otherwise PGlite under `$DATA_DIR/pglite`. */
export function databaseTarget(settings: {
  databaseUrl: string | undefined;
  dataDir: string;
  database?: { acquireTimeoutMs: number; statementTimeoutMs: number };
}): DatabaseTarget {
  return settings.databaseUrl
    ? { kind: 'postgres', url: settings.databaseUrl, ...settings.database }
    : { kind: 'pglite', dataDir: join(settings.dataDir, 'pglite') };
}
