import { readFileSync, writeFileSync } from 'node:fs';

/**
 * `npx tsx bench/tables.ts <bench output>`: rewrites the Benchmarks tables of README.md and
 * docs/benchmarks.md (between `<!-- bench:start -->` and `<!-- bench:end -->`) from the output of
 * `npm run bench`: one row per printed figure that states a goal, with its verdict.
 */
const output = readFileSync(process.argv[2] ?? '/dev/stdin', 'utf8');
const rows: string[] = [];
let section = '';
for (const line of output.split('\n')) {
  const heading = /^== (.+) ==$/.exec(line);
  if (heading) {
    section = heading[1]!;
    continue;
  }
  const figure = /^\s*(.+?)\s*\(goal\s*([^)]*)\)[^:]*:\s*(met|NOT met.*)$/.exec(line);
  if (!figure) continue;
  const [, what, goal, verdict] = figure as unknown as [string, string, string, string];
  rows.push(`| ${section} | ${what.replace(/\|/g, '\\|')} | ${goal || 'see figure'} | ${verdict.startsWith('met') ? 'met' : `**${verdict}**`} |`);
}
const table = ['| bench | figure (this run) | goal | verdict |', '|---|---|---|---|', ...rows].join('\n');
for (const file of ['README.md', 'docs/benchmarks.md']) {
  const text = readFileSync(file, 'utf8');
  const replaced = text.replace(/<!-- bench:start -->[\s\S]*?<!-- bench:end -->/, `<!-- bench:start -->\n${table}\n<!-- bench:end -->`);
  if (replaced === text && !text.includes('<!-- bench:start -->')) throw new Error(`${file} has no <!-- bench:start --> marker`);
  writeFileSync(file, replaced);
}
console.log(table);
