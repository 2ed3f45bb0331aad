import { describe, expect, it } from 'vitest';
import { createRetryPause } from '../../src/shared/backoff.js';

describe('createRetryPause', () => {
  it('waits the base interval after one failure, doubles it per failure up to the cap, and clears on success', () => {
    const pause = createRetryPause({ baseMs: 250, maxMs: 1_000 });
    expect(pause.ready(0)).toBe(true);
    pause.failed(0);
    expect([pause.ready(249), pause.ready(250)]).toStrictEqual([false, true]);
    pause.failed(250);
    expect([pause.ready(749), pause.ready(750)]).toStrictEqual([false, true]);
    pause.failed(750);
    pause.failed(1_000);
    expect([pause.failures, pause.ready(1_999), pause.ready(2_000)]).toStrictEqual([4, false, true]);
    pause.succeeded();
    expect([pause.failures, pause.ready(0)]).toStrictEqual([0, true]);
  });
});
