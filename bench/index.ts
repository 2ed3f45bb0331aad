import { benchRefreshDue } from './refresh-due.js';
import { benchTokenEndpoint } from './token-endpoint.js';

/** `npm run bench`: runs each benchmark in turn and prints its figures (not a pass/fail test). */
const benchmarks: [string, () => Promise<void>][] = [
  ['token endpoint and proxy', benchTokenEndpoint],
  ['refresh due selection', benchRefreshDue],
];

for (const [name, run] of benchmarks) {
  console.log(`\n== ${name} ==`);
  await run();
}
process.exit(0);
