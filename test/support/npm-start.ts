import { execFileSync } from 'node:child_process';

/**
 * `npm start` is `node scripts/build.mjs && node <these arguments>`: the esbuild bundle in `dist`,
 * run by node itself. Tests, the proof and the bench start the service process with the same flags;
 * `bundle` names another build directory of the project (one built by `buildBundle`).
 */
export function npmStartArguments(bundle = 'dist'): string[] {
  return ['--enable-source-maps', '--import', `./${bundle}/tracing-preload.js`, `${bundle}/main.js`];
}

/** `npm start`'s first half (or `npm run build`), into `bundle`. */
export function buildBundle(bundle = 'dist'): void {
  execFileSync(process.execPath, ['scripts/build.mjs', bundle], { stdio: 'inherit' });
}
