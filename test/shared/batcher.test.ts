import { afterEach, describe, expect, it, vi } from 'vitest';
import { createBatcher } from '../../src/shared/batcher.js';

/** A `run` whose queries the test answers by hand, recording which keys each one asked for. */
function manualRun() {
  const queries: { keys: string[]; answer(values?: Record<string, string>): void; fail(error: Error): void }[] = [];
  const run = (keys: string[]) =>
    new Promise<Map<string, string>>((resolve, reject) => {
      queries.push({
        keys,
        answer: (values = Object.fromEntries(keys.map((key) => [key, `value of ${key}`]))) => resolve(new Map(Object.entries(values))),
        fail: reject,
      });
    });
  return { queries, run };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('a batcher of lookups', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  const options = { missing: () => 'none', maxInFlight: 2, maxBatch: 100, maxQueueMs: 50, now: () => Date.now() };

  it('starts a query at once for a lookup while fewer than maxInFlight run: a quiet service waits for nothing', async () => {
    const { queries, run } = manualRun();
    const batcher = createBatcher({ ...options, run });
    const first = batcher.load('a');
    const second = batcher.load('b');
    expect(queries.map((query) => query.keys)).toStrictEqual([['a'], ['b']]);
    queries[0]!.answer();
    queries[1]!.answer();
    await expect(first).resolves.toBe('value of a');
    await expect(second).resolves.toBe('value of b');
  });

  it('queues lookups while maxInFlight queries run, and answers them all with the next query (each key asked once)', async () => {
    const { queries, run } = manualRun();
    const batcher = createBatcher({ ...options, run });
    const running = [batcher.load('a'), batcher.load('b')];
    const queued = ['c', 'd', 'c', 'e'].map((key) => batcher.load(key));
    expect(queries).toHaveLength(2);

    queries[0]!.answer();
    await settle();
    expect(queries.map((query) => query.keys)).toStrictEqual([['a'], ['b'], ['c', 'd', 'e']]);
    queries[2]!.answer({ c: 'C', e: 'E' });
    queries[1]!.answer();
    await expect(Promise.all(running)).resolves.toStrictEqual(['value of a', 'value of b']);
    // d was not answered by its query: the missing value, not a hang.
    await expect(Promise.all(queued)).resolves.toStrictEqual(['C', 'none', 'C', 'E']);
  });

  it('takes at most maxBatch keys per query; the rest go with the following one', async () => {
    const { queries, run } = manualRun();
    const batcher = createBatcher({ ...options, maxInFlight: 1, maxBatch: 2, run });
    const all = ['a', 'b', 'c', 'd'].map((key) => batcher.load(key));
    queries[0]!.answer();
    await settle();
    queries[1]!.answer();
    await settle();
    queries[2]!.answer();
    await expect(Promise.all(all)).resolves.toStrictEqual(['value of a', 'value of b', 'value of c', 'value of d']);
    expect(queries.map((query) => query.keys)).toStrictEqual([['a'], ['b', 'c'], ['d']]);
  });

  it("fails every lookup of a failed query with its error, and goes on with the next queries", async () => {
    const { queries, run } = manualRun();
    const batcher = createBatcher({ ...options, maxInFlight: 1, run });
    const first = batcher.load('a');
    const queued = [batcher.load('b'), batcher.load('c')];
    queries[0]!.fail(new Error('connection lost'));
    await expect(first).rejects.toThrow('connection lost');
    await settle();
    queries[1]!.fail(new Error('still lost'));
    for (const lookup of queued) await expect(lookup).rejects.toThrow('still lost');
    const later = batcher.load('d');
    queries[2]!.answer();
    await expect(later).resolves.toBe('value of d');
  });

  it('starts the query of a lookup queued for maxQueueMs anyway, beyond maxInFlight: queries that hang hold no one', async () => {
    vi.useFakeTimers();
    const { queries, run } = manualRun();
    const batcher = createBatcher({ ...options, maxInFlight: 1, maxBatch: 1, run });
    const hung = batcher.load('a'); // its query never answers (a frozen connection)
    await vi.advanceTimersByTimeAsync(10);
    const b = batcher.load('b');
    await vi.advanceTimersByTimeAsync(30);
    const c = batcher.load('c');
    await vi.advanceTimersByTimeAsync(19); // b has waited 49 ms
    expect(queries.map((query) => query.keys)).toStrictEqual([['a']]);
    await vi.advanceTimersByTimeAsync(1); // 50 ms: b's query starts; c (queued 20 ms ago) keeps its own clock
    expect(queries.map((query) => query.keys)).toStrictEqual([['a'], ['b']]);
    await vi.advanceTimersByTimeAsync(29);
    expect(queries).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(queries.map((query) => query.keys)).toStrictEqual([['a'], ['b'], ['c']]);
    queries[1]!.answer();
    queries[2]!.fail(new Error('timeout exceeded when trying to connect'));
    await expect(b).resolves.toBe('value of b');
    await expect(c).rejects.toThrow('timeout exceeded');
    queries[0]!.answer();
    await expect(hung).resolves.toBe('value of a');
  });

  it('fails the lookups of a query whose run throws at once, and goes on with the next', async () => {
    const batcher = createBatcher({
      ...options,
      run: (keys: string[]) => {
        if (keys.includes('bad')) throw new Error('cannot build the query');
        return Promise.resolve(new Map(keys.map((key) => [key, `value of ${key}`])));
      },
    });
    await expect(batcher.load('bad')).rejects.toThrow('cannot build the query');
    await expect(batcher.load('good')).resolves.toBe('value of good');
  });
});
