import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { httpErrors } from '../../src/http/errors.js';

const root = new URL('../../', import.meta.url);
const guide = readFileSync(new URL('docs/troubleshooting.md', root), 'utf8');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'generated' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Every machine code the service or its CLI can answer: the HTTP table, every error class, the CLI's exit-code table. */
function errorCodes(): string[] {
  const codes = new Set(Object.keys(httpErrors));
  for (const file of sourceFiles(new URL('src', root).pathname)) {
    for (const match of readFileSync(file, 'utf8').matchAll(/readonly code = '([a-z_]+)'/g)) codes.add(match[1]!);
  }
  const cli = readFileSync(new URL('src/cli/errors.ts', root), 'utf8');
  const exitCodes = /const exitCodes[^{]*\{([^}]*)\}/.exec(cli)![1]!;
  for (const match of exitCodes.matchAll(/^\s+([a-z_]+): [12],/gm)) codes.add(match[1]!);
  return [...codes].sort();
}

/** Every TikTok code the error catalog maps. */
function tiktokCodes(): number[] {
  const catalog = readFileSync(new URL('src/tiktok/error-catalog.ts', root), 'utf8');
  const entries = [...catalog.matchAll(/^\s+(\d{3,}):/gm)].map((match) => Number(match[1]));
  const undocumented = [...catalog.matchAll(/undocumented\(\[([\d, ]+)\]/g)].flatMap((match) => match[1]!.split(',').map((code) => Number(code.trim())));
  return [...new Set([...entries, ...undocumented])].sort((a, b) => a - b);
}

describe('docs/troubleshooting.md', () => {
  it('finds the codes of the code base (so the checks below check something)', () => {
    expect(errorCodes().length).toBeGreaterThan(55);
    expect(errorCodes()).toContain('metrics_token_invalid');
    expect(errorCodes()).toContain('config_invalid');
    expect(tiktokCodes()).toContain(105005);
    expect(tiktokCodes()).toContain(90004);
  });

  it.each(errorCodes())('explains %s', (code) => {
    expect(guide).toContain(`\`${code}\``);
  });

  it.each(tiktokCodes())('explains TikTok code %i', (code) => {
    expect(guide).toMatch(new RegExp(`(^|[^\\d])${code}([^\\d]|$)`, 'm'));
  });

  it('gives each HTTP error code its status as the service answers it', () => {
    for (const [code, { status }] of Object.entries(httpErrors)) {
      const rows = guide.split('\n').filter((line) => line.includes(`| \`${code}\` |`));
      if (rows.length === 0) continue; // explained in prose (the operators' table)
      for (const row of rows) expect({ code, row: row.startsWith(`| ${status} |`) }).toStrictEqual({ code, row: true });
    }
  });
});
