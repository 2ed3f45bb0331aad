import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Every TypeScript file under src/, as [path relative to the repository, text]. */
function sources(): [string, string][] {
  const root = join(import.meta.dirname, '..');
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return entry.name === 'generated' ? [] : walk(path);
      return entry.name.endsWith('.ts') ? [path] : [];
    });
  return walk(join(root, 'src')).map((path) => [relative(root, path), readFileSync(path, 'utf8')]);
}

const files = sources();
const matching = (pattern: RegExp) => files.filter(([, text]) => pattern.test(text)).map(([path]) => path);

describe('the code base (issue #10: one owner per concept)', () => {
  it('spells the connection status list once, in the lifecycle', () => {
    expect(matching(/'active', 'refresh_lost', 'needs_reauth', 'expired', 'suspended', 'revoked'/)).toStrictEqual(['src/connections/lifecycle/statuses.ts']);
  });

  it('writes a status or an outbox event only in the lifecycle store', () => {
    expect(matching(/INSERT INTO outbox_events/i)).toStrictEqual(['src/db/stores/lifecycle-store.ts']);
    // An assignment `status = …` in the SET list of an UPDATE of connections (not a `WHEN status = …` test
    // inside one, and not the statuses of other tables such as webhook deliveries).
    expect(matching(/UPDATE\s+connections\b(?:(?!\bWHERE\b)[^;`])*?(\bSET\s+|,\s*)status\s*=/i)).toStrictEqual(['src/db/stores/lifecycle-store.ts']);
  });

  it('talks to Prisma only in src/db', () => {
    expect(matching(/from '(@prisma\/[^']*|[^']*\/generated\/[^']*)'/).filter((path) => !path.startsWith('src/db/'))).toStrictEqual([]);
  });

  it('keeps no module-level mutable state (let or var at the top level) outside main.ts', () => {
    expect(matching(/^(export )?(let|var) /m).filter((path) => path !== 'src/main.ts')).toStrictEqual([]);
  });

  it('builds stores and TikTok clients only in the composition root', () => {
    const builders = /\bcreate[A-Za-z]*Store\(|\bcreate(Auth|Api)Client\(/;
    const outside = files
      .filter(([path, text]) => builders.test(text.replace(/export function create[A-Za-z]*\(/g, '').replace(/^\s*\*.*$/gm, '')) && path !== 'src/core.ts')
      .map(([path]) => path);
    // The lifecycle store is built over a transaction's runner inside the stores that own that transaction.
    expect(outside).toStrictEqual(['src/db/stores/authorization-store.ts']);
  });
});
