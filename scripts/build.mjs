// `npm run build` (and the first half of `npm start`): bundles the service into dist/ with esbuild,
// so that the process `npm start` runs loads a few plain JavaScript files instead of compiling some
// 300 TypeScript modules through tsx's loader on every start (issue #12: ready within 3 s, and no
// loader thread holding memory for the life of the process). Packages stay in node_modules.
// `node scripts/build.mjs <dir>` builds into another directory of the project (tests, side by side).
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const outdir = process.argv[2] ?? 'dist';
rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });

/**
 * Prisma's generated client imports its query compiler (WebAssembly) from a module that holds it as
 * base64 text, which V8 keeps twice for the life of the process: as the module's source and as the
 * string (4.6 MB of a 40 MB live heap, issue #12). In the bundle, the client compiles the binary
 * from a file written beside it instead, and nothing of it stays in the JavaScript heap.
 */
const prismaQueryCompilerFromFile = {
  name: 'prisma-query-compiler-from-file',
  setup(plugin) {
    plugin.onLoad({ filter: /[\\/]db[\\/]generated[\\/]internal[\\/]class\.ts$/ }, async (args) => {
      const source = readFileSync(args.path, 'utf8');
      const loader = /const \{ wasm \} = await import\("(@prisma\/client\/runtime\/[\w.-]+\.wasm-base64\.mjs)"\)\s*return await decodeBase64AsWasm\(wasm\)/;
      const found = loader.exec(source);
      if (!found) {
        throw new Error(`${args.path}: Prisma's query compiler loader has changed shape; scripts/build.mjs (prismaQueryCompilerFromFile) needs updating`);
      }
      const { wasm } = await import(found[1]);
      writeFileSync(join(outdir, 'prisma-query-compiler.wasm'), Buffer.from(wasm, 'base64'));
      const fromFile = `const { readFile } = await import('node:fs/promises')
    return await WebAssembly.compile(await readFile(new URL('./prisma-query-compiler.wasm', import.meta.url)))`;
      return { contents: source.replace(loader, fromFile), loader: 'ts' };
    });
  },
};

await build({
  entryPoints: ['src/main.ts', 'src/tracing-preload.ts'],
  outdir,
  bundle: true,
  splitting: true, // the lazily imported parts (the simulator, PGlite's adapter, tracing) stay lazy
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
  plugins: [prismaQueryCompilerFromFile],
});

// V8 keeps each script's source for the life of the process, one byte a character when every
// character fits in Latin-1 and two bytes otherwise: a single arrow in an admin page doubled
// main.js in memory (issue #12). esbuild escapes such characters in strings but cannot in tagged
// templates (the admin pages' html``) or keep them out of the comments it preserves.
for (const file of readdirSync(outdir).filter((name) => name.endsWith('.js'))) {
  const lines = readFileSync(join(outdir, file), 'utf8').split('\n');
  const wide = lines.flatMap((text, index) => (/[\u0100-\uffff]/.test(text) ? [`  ${file}:${index + 1}: ${text.trim().slice(0, 120)}`] : []));
  if (wide.length > 0) {
    console.error(`The bundle holds characters beyond Latin-1, which make V8 keep its source at two bytes a character. Write them as HTML entities (&larr;, &hellip;) in templates, or in ASCII in comments:\n${wide.join('\n')}`);
    process.exit(1);
  }
}
