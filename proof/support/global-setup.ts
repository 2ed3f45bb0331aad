import { mkdirSync, rmSync } from 'node:fs';
import { buildBundle } from '../../test/support/npm-start.js';
import { dumpDir, logDir, outDir, readFigures } from './figures.js';

/**
 * Starts each proof run with an empty proof/out (PROOF_KEEP_OUT=1 keeps it: e.g. to run the secret scan
 * alone again over a finished run); prints every section's figures at the end.
 */
export default function setup(): () => void {
  if (process.env.PROOF_KEEP_OUT !== '1') rmSync(outDir, { recursive: true, force: true });
  mkdirSync(logDir, { recursive: true });
  mkdirSync(dumpDir, { recursive: true });
  buildBundle(); // the chaos proof's replicas run what `npm start` runs
  return () => {
    const sections = readFigures();
    const lines = ['', '=== npm run proof: figures', ''];
    for (const { section, figures } of sections) {
      lines.push(`[${section}]`);
      for (const [name, value] of Object.entries(figures)) lines.push(`  ${name}: ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`);
    }
    console.log(lines.join('\n'));
  };
}
