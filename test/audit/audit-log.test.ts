import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createAuditLog } from '../../src/audit/audit-log.js';
import { createLogger } from '../../src/shared/logger.js';
import { FakeClock } from '../support/clock.js';

describe('the audit writer while the database is away', () => {
  it('waits out failures (doubling) instead of retrying every tick, logs the outage once, and writes everything when it is back', async () => {
    const clock = new FakeClock('2026-12-01T10:00:00.000Z');
    const lines: string[] = [];
    const logger = createLogger('warn', new Writable({ write: (chunk, _encoding, done) => void (lines.push(String(chunk)), done()) }));
    let down = true;
    let attempts = 0;
    const written: string[] = [];
    const store = {
      insert: async (batch: readonly { event: { action: string } }[]) => {
        attempts += 1;
        if (down) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
        written.push(...batch.map((entry) => entry.event.action));
      },
    };
    const audit = createAuditLog(store, { clock, logger, flushIntervalMs: 5 });
    audit.worker.start();
    audit.record({ actorType: 'system', action: 'first', outcome: 'success' });
    await sleep(150); // some 30 ticks of the timer, with the clock standing still
    expect(attempts).toBe(1);
    expect(lines.map((line) => JSON.parse(line).msg)).toStrictEqual(['audit events could not be written; will retry']);

    down = false;
    clock.advanceSeconds(1);
    await sleep(100);
    expect(written).toStrictEqual(['first']);
    await audit.worker.stop();
  });
});
