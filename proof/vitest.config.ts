import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** The proof files run one after the other in name order: the secret scan (`z-…`) must come last. */
class InNameOrder extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return [...files].sort((a, b) => a.moduleId.localeCompare(b.moduleId));
  }
}

/**
 * `npm run proof`: fuzzing of every input boundary, the authorization matrix, chaos with two service
 * processes and a separate simulator, and a secret scan of the database and every log line. Not part
 * of `npm test`. Runs on the local Postgres (`PROOF_DATABASE_URL`, a fresh database per service).
 */
export default defineConfig({
  test: {
    name: 'proof',
    root: new URL('..', import.meta.url).pathname,
    include: ['proof/**/*.proof.ts'],
    environment: 'node',
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 20 * 60_000,
    hookTimeout: 5 * 60_000,
    setupFiles: ['test/support/setup.ts'],
    globalSetup: ['test/support/global-setup.ts', 'proof/support/global-setup.ts'],
    sequence: { sequencer: InNameOrder },
    env: {
      TEST_BACKEND: 'postgres',
      TEST_DATABASE_URL: process.env.PROOF_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test',
    },
  },
});
