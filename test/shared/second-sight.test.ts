import { describe, expect, it } from 'vitest';
import { createSecondSight } from '../../src/shared/second-sight.js';

describe('createSecondSight', () => {
  it('answers false for a key offered the first time and true the second time', () => {
    const sight = createSecondSight(1024);
    expect(sight.seenBefore('sealed-a')).toBe(false);
    expect(sight.seenBefore('sealed-b')).toBe(false);
    expect(sight.seenBefore('sealed-a')).toBe(true);
    expect(sight.seenBefore('sealed-b')).toBe(true);
  });

  it('forgets a key once it has said true, so that a key let in and pushed out must be asked for twice again', () => {
    const sight = createSecondSight(1024);
    sight.seenBefore('k');
    expect(sight.seenBefore('k')).toBe(true);
    expect(sight.seenBefore('k')).toBe(false);
    expect(sight.seenBefore('k')).toBe(true);
  });

  it('forgets a key offered once after many other keys have been offered', () => {
    const sight = createSecondSight(4);
    sight.seenBefore('early');
    for (let i = 0; i < 200; i++) sight.seenBefore(`other-${i}`);
    expect(sight.seenBefore('early')).toBe(false);
  });

  it('tells apart keys that differ in one character, empty keys included', () => {
    const sight = createSecondSight(1 << 16);
    expect(sight.seenBefore('')).toBe(false);
    expect(sight.seenBefore('x')).toBe(false);
    expect(sight.seenBefore('y')).toBe(false);
    expect(sight.seenBefore('')).toBe(true);
  });
});
