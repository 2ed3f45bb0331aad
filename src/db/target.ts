import { join } from 'node:path';
import type { DatabaseTarget } from './database.js';

/** Where the migrations live: `prisma/migrations`, in Prisma's layout. */
export const migrationsDirectory = join(import.meta.dirname, '..', '..', 'prisma', 'migrations');

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
