import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** How `npm start` runs the service after building it: node's arguments and the environment it sets. */
export interface NpmStart {
  /** Variables the start script sets before `node` (`MALLOC_ARENA_MAX`). */
  env: Record<string, string>;
  /** node's arguments: heap settings, the tracing preload and the bundle. */
  args: string[];
}

/**
 * `npm start` is `node scripts/build.mjs && [NAME=value …] node <arguments>`: the esbuild bundle in
 * `dist`, run by node itself with the memory settings the service ships with. Tests, the proof and the
 * bench start the service process exactly so, read from package.json (its one owner); `bundle` names
 * another build directory of the project (one built by `buildBundle`).
 */
export function npmStart(bundle = 'dist'): NpmStart {
  const { scripts } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: { start: string } };
  const command = /^node scripts\/build\.mjs && ((?:[A-Z_]+=\S+ )*)node (.+)$/.exec(scripts.start);
  if (!command) throw new Error(`package.json's start script is not "node scripts/build.mjs && [NAME=value …] node <arguments>": ${scripts.start}`);
  const [, assignments, args] = command as unknown as [string, string, string];
  return {
    env: Object.fromEntries(assignments.trim().split(/\s+/).filter(Boolean).map((assignment) => [assignment.slice(0, assignment.indexOf('=')), assignment.slice(assignment.indexOf('=') + 1)])),
    args: args.split(/\s+/).map((argument) => argument.replace(/^(\.\/)?dist\//, `$1${bundle}/`)),
  };
}

/** `npm start`'s first half (or `npm run build`), into `bundle`. */
export function buildBundle(bundle = 'dist'): void {
  execFileSync(process.execPath, ['scripts/build.mjs', bundle], { stdio: 'inherit' });
}
