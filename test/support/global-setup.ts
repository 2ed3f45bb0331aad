import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/db/database.js';
import { migrate, readMigrations } from '../../src/db/migrate.js';
import { migrationsDirectory } from '../../src/db/target.js';

/**
 * Builds one migrated PGlite data directory image per set of migrations; each test database starts
 * from it (≈0.4 s instead of ≈3 s for a fresh initdb + migrate).
 */
export default async function setup(project: TestProject): Promise<void> {
  const migrations = await readMigrations(migrationsDirectory);
  const key = migrations.map((m) => m.checksum.slice(0, 8)).join('-');
  const dir = join(process.cwd(), 'node_modules', '.cache', 'tiktok-shop-connect-tests');
  const file = join(dir, `pglite-${key}.tar`);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const db = await openDatabase({ kind: 'pglite' });
    await migrate(db.sql, migrations);
    const image = await db.pglite!.dumpDataDir('none');
    writeFileSync(file, Buffer.from(await image.arrayBuffer()));
    await db.close();
  }
  project.provide('pgliteImage', file);
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteImage: string;
  }
}
