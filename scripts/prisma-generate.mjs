// Generates the Prisma client offline. `prisma generate` never runs the schema engine, but the CLI
// checks that its binary exists; a placeholder satisfies that check where the binary cannot be downloaded.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1' };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY) {
  const dir = join(process.cwd(), 'node_modules', '.cache', 'prisma-offline');
  const placeholder = join(dir, 'schema-engine-placeholder');
  if (!existsSync(placeholder)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(placeholder, '#!/bin/sh\necho "schema engine not available offline" >&2\nexit 1\n', { mode: 0o755 });
  }
  env.PRISMA_SCHEMA_ENGINE_BINARY = placeholder;
}
const result = spawnSync('npx', ['--no-install', 'prisma', 'generate'], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
