// `npm run build` (and the first half of `npm start`): bundles the service into dist/ with esbuild,
// so that the process `npm start` runs loads a few plain JavaScript files instead of compiling some
// 300 TypeScript modules through tsx's loader on every start (issue #12: ready within 3 s, and no
// loader thread holding memory for the life of the process). Packages stay in node_modules.
// `node scripts/build.mjs <dir>` builds into another directory of the project (tests, side by side).
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

const outdir = process.argv[2] ?? 'dist';
rmSync(outdir, { recursive: true, force: true });
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
});
