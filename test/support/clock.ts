import type { Clock } from '../../src/shared/clock.js';

/** A clock that moves only when the test says so. */
export class FakeClock implements Clock {
  private current: number;
  constructor(start: Date | string = '2026-11-23T10:00:00.000Z') {
    this.current = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.current);
  }
  advance(ms: number): void {
    this.current += ms;
  }
  advanceSeconds(seconds: number): void {
    this.advance(seconds * 1000);
  }
  set(date: Date | string): void {
    this.current = new Date(date).getTime();
  }
}
