import { describe, expect, it } from 'vitest';
import { closest } from '../../src/cli/suggest.js';

const createFlags = ['name', 'scopes', 'shops', 'rate-limit', 'daily-quota', 'json', 'help'];

describe('closest (the "did you mean" of the CLI)', () => {
  it.each([
    ['scope', 'scopes'],
    ['shop', 'shops'],
    ['rate', 'rate-limit'],
    ['ratelimit', 'rate-limit'],
    ['daily_quota', 'daily-quota'],
    ['josn', 'json'],
    ['Name', 'name'],
  ])('suggests --%s → --%s', (typed, meant) => {
    expect(closest(typed, createFlags)).toBe(meant);
  });

  it('prefers a flag the word starts over a nearer one by letters', () => {
    expect(closest('rate', ['name', 'rate-limit'])).toBe('rate-limit');
  });

  it('suggests nothing when no flag is close', () => {
    expect(closest('force', createFlags)).toBeUndefined();
    expect(closest('id', createFlags)).toBeUndefined();
  });

  it('finds a mistyped command', () => {
    expect(closest('api-client create', ['api-clients create', 'api-clients list', 'connections list'])).toBe('api-clients create');
  });
});
