import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { retainedTables, retentionPolicy } from '../../src/db/retention-policy.js';

const operations = readFileSync(new URL('../../docs/operations.md', import.meta.url), 'utf8');
const section = operations.slice(operations.indexOf('\n## Retention\n'), operations.indexOf('\n## ', operations.indexOf('\n## Retention\n') + 1));

/** The retention list (src/db/retention-policy.ts) and what operators read about it cannot drift apart. */
describe('docs/operations.md#retention', () => {
  it.each(retainedTables.filter((table) => retentionPolicy[table].setting !== null))('names the setting that keeps %s', (table) => {
    expect(section).toContain(`\`${retentionPolicy[table].setting}\``);
  });

  it('names every variable the retention worker reads, and no other', () => {
    const named = new Set(section.match(/`(?:RETENTION_[A-Z_]+|WEBHOOK_RETENTION_DAYS)`/g)?.map((name) => name.slice(1, -1)));
    const read = new Set([...retainedTables.map((table) => retentionPolicy[table].setting), 'RETENTION_SWEEP_INTERVAL_SECONDS', 'RETENTION_BATCH_SIZE']);
    read.delete(null);
    expect([...named].sort()).toStrictEqual([...read].sort());
  });
});
