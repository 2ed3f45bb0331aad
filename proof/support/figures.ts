import { appendFileSync, mkdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

/** Where the proof run keeps its figures, logs and dumps (recreated by each run); PROOF_OUT_DIR to run two at once. */
export const outDir = process.env.PROOF_OUT_DIR ?? join(process.cwd(), 'proof', 'out');
export const logDir = join(outDir, 'logs');
export const dumpDir = join(outDir, 'dumps');
/** Every secret the run made or saw, one per line, for the final scan. */
export const secretsFile = join(outDir, 'secrets.txt');
const figuresFile = join(outDir, 'figures.jsonl');

/** Records one section's figures (printed at the end of the run). */
export function recordFigures(section: string, figures: Record<string, unknown>): void {
  mkdirSync(outDir, { recursive: true });
  appendFileSync(figuresFile, `${JSON.stringify({ section, figures })}\n`);
}

export function readFigures(): { section: string; figures: Record<string, unknown> }[] {
  if (!existsSync(figuresFile)) return [];
  return readFileSync(figuresFile, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as { section: string; figures: Record<string, unknown> });
}

/** Remembers secrets (tokens, keys, the app secret) that must appear in no log line and no dump. */
export function rememberSecrets(...secrets: (string | undefined | null)[]): void {
  const lines = secrets.filter((secret): secret is string => typeof secret === 'string' && secret.length >= 8);
  if (lines.length === 0) return;
  mkdirSync(outDir, { recursive: true });
  appendFileSync(secretsFile, `${lines.join('\n')}\n`);
}

/** A number from the environment (for longer runs), or the default. */
export function envNumber(name: string, fallback: number): number {
  const value = process.env[name];
  return value === undefined || value === '' ? fallback : Number(value);
}
