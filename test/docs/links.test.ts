import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const documents = ['README.md', ...readdirSync(join(root, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];

/** GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens. */
function anchors(markdown: string): Set<string> {
  const withoutCode = markdown.replace(/```[\s\S]*?```/g, '');
  return new Set([...withoutCode.matchAll(/^#{1,6} (.+)$/gm)].map((match) => match[1]!.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-')));
}

/** Relative links `[text](target)` outside code. */
function links(markdown: string): string[] {
  const withoutCode = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...withoutCode.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]!).filter((target) => !/^[a-z]+:/.test(target));
}

describe('documentation links', () => {
  it.each(documents)('every relative link in %s points at a file and heading that exist', (document) => {
    const text = readFileSync(join(root, document), 'utf8');
    for (const target of links(text)) {
      const [file, anchor] = target.split('#') as [string, string | undefined];
      const path = file === '' ? join(root, document) : resolve(dirname(join(root, document)), file);
      expect({ target, exists: existsSync(path) }).toStrictEqual({ target, exists: true });
      if (anchor && path.endsWith('.md')) expect({ target, anchor: anchors(readFileSync(path, 'utf8')).has(anchor) }).toStrictEqual({ target, anchor: true });
    }
  });

  it('the README links every document in docs/', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(links(readme).length).toBeGreaterThan(10);
    for (const name of readdirSync(join(root, 'docs'))) expect(readme).toContain(`](docs/${name})`);
  });
});
