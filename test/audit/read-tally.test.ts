import { describe, expect, it } from 'vitest';
import { createReadTally, type ReadBuckets } from '../../src/audit/read-tally.js';
import { createLogger } from '../../src/shared/logger.js';
import { FakeClock } from '../support/clock.js';

const settle = () => new Promise((resolve) => setImmediate(resolve));
/** A write's buckets as [shop, reads, first request, last request] rows. */
const rows = (buckets: ReadBuckets) => buckets.shopId.map((shop, i) => [shop, buckets.reads[i], buckets.firstRequestId[i], buckets.lastRequestId[i]]);

describe('the credential read tally', () => {
  it('writes as soon as it holds flushAtBuckets buckets (reads spread over many shops), not only every flushIntervalMs', async () => {
    const clock = new FakeClock('2026-12-01T10:00:00.000Z');
    const writes: ReadBuckets[] = [];
    const tally = createReadTally({ add: async (buckets) => void writes.push(buckets) }, { clock, logger: createLogger('silent'), flushAtBuckets: 3 });
    const read = (shopId: string, requestId: string) => tally.record({ clientId: 'client-1', shopId, connectionId: 'c-1', outcome: 'success', requestId });

    read('7001', 'r1');
    read('7001', 'r2'); // same bucket
    read('7002', 'r3');
    await settle();
    expect(writes).toHaveLength(0);
    read('7003', 'r4'); // the third bucket
    await settle();
    expect(writes.map(rows)).toStrictEqual([
      [['7001', 2, 'r1', 'r2'], ['7002', 1, 'r3', 'r3'], ['7003', 1, 'r4', 'r4']],
    ]);

    read('7004', 'r5');
    await tally.flush();
    expect(writes.map((buckets) => buckets.shopId)).toStrictEqual([['7001', '7002', '7003'], ['7004']]);
  });

  it('keeps the buckets of a failed write and adds the reads counted since to them: the next write carries both, oldest first', async () => {
    const clock = new FakeClock('2026-12-01T10:00:00.000Z');
    const writes: ReadBuckets[] = [];
    let down = true;
    const tally = createReadTally(
      { add: async (buckets) => { if (down) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }); writes.push(buckets); } },
      { clock, logger: createLogger('silent') },
    );
    const read = (shopId: string, requestId: string, outcome: 'success' | 'denied' | 'failure' = 'success') =>
      tally.record({ clientId: 'client-1', shopId, connectionId: shopId === '7999' ? null : 'c-1', outcome, requestId });
    read('7001', 'r1');
    read('7999', 'r2', 'failure');
    await tally.flush();
    clock.advance(1_000);
    read('7002', 'r3');
    read('7001', 'r4', 'denied');
    down = false;
    await tally.flush();

    expect(writes).toHaveLength(1);
    const [written] = writes as [ReadBuckets];
    expect(rows(written)).toStrictEqual([['7001', 2, 'r1', 'r4'], ['7999', 1, 'r2', 'r2'], ['7002', 1, 'r3', 'r3']]);
    expect([written.succeeded, written.denied, written.failed, written.connectionId]).toStrictEqual([[1, 0, 1], [1, 0, 0], [0, 1, 0], ['c-1', '', 'c-1']]);
    expect(written.lastAt[0]! - written.firstAt[0]!).toBe(1_000);
  });

  it('holds at most maxBuckets while writes fail, dropping the oldest', async () => {
    const clock = new FakeClock('2026-12-01T10:00:00.000Z');
    const writes: ReadBuckets[] = [];
    let down = true;
    const tally = createReadTally(
      { add: async (buckets) => { if (down) throw new Error('connect ECONNREFUSED'); writes.push(buckets); } },
      { clock, logger: createLogger('silent'), maxBuckets: 3 },
    );
    for (const [i, shop] of ['7001', '7002', '7003'].entries()) tally.record({ clientId: 'client-1', shopId: shop, connectionId: 'c-1', outcome: 'success', requestId: `r${i}` });
    await tally.flush();
    for (const [i, shop] of ['7004', '7005'].entries()) tally.record({ clientId: 'client-1', shopId: shop, connectionId: 'c-1', outcome: 'success', requestId: `s${i}` });
    await tally.flush();
    down = false;
    await tally.flush();
    expect(writes.map((buckets) => buckets.shopId)).toStrictEqual([['7003', '7004', '7005']]);
  });

  it('does not write on every read while the database is away: a full tally waits for the retry pause like the timer does', async () => {
    const clock = new FakeClock('2026-12-01T10:00:00.000Z');
    let attempts = 0;
    const tally = createReadTally(
      { add: async () => { attempts += 1; throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }); } },
      { clock, logger: createLogger('silent'), flushAtBuckets: 2 },
    );
    for (let i = 0; i < 50; i++) {
      tally.record({ clientId: 'client-1', shopId: String(7000 + i), connectionId: 'c-1', outcome: 'success', requestId: `r${i}` });
      await settle();
    }
    expect(attempts).toBe(1);
  });

  it("adds no write while the timer's is under way: a full tally behind a slow, failing write waits for it and then for the retry pause", async () => {
    const clock = new FakeClock('2026-12-01T10:00:00.000Z');
    let attempts = 0;
    let fail: (error: Error) => void = () => undefined;
    const tally = createReadTally(
      { add: () => { attempts += 1; return new Promise<void>((_resolve, reject) => (fail = reject)); } },
      { clock, logger: createLogger('silent'), flushAtBuckets: 2 },
    );
    const read = (i: number) => tally.record({ clientId: 'client-1', shopId: String(7000 + i), connectionId: 'c-1', outcome: 'success', requestId: `r${i}` });
    read(0);
    void tally.flush(); // the timer's write, which hangs
    await settle();
    for (let i = 1; i < 20; i++) read(i);
    await settle();
    expect(attempts).toBe(1);
    fail(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    await settle();
    for (let i = 20; i < 40; i++) read(i);
    await settle();
    expect(attempts).toBe(1);
  });
});
