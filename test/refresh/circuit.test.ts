import { describe, expect, it } from 'vitest';
import { createRefreshCircuit } from '../../src/refresh/circuit.js';
import { FakeClock } from '../support/clock.js';

describe('the refresh circuit (storm brake, #15 item 2)', () => {
  const setup = () => {
    const clock = new FakeClock('2026-12-01T10:00:00.000Z');
    const circuit = createRefreshCircuit({ clock, failures: 3, openSeconds: 60 });
    const inDays = (days: number) => new Date(clock.now().getTime() + days * 86_400_000);
    const inSeconds = (seconds: number) => new Date(clock.now().getTime() + seconds * 1000);
    return { clock, circuit, inDays, inSeconds };
  };

  it('opens after 3 timeouts or 5xx in a row; an answer in between starts the count again', () => {
    const { circuit, inDays } = setup();
    circuit.settle('default', 'unavailable');
    circuit.settle('default', 'unavailable');
    circuit.settle('default', 'answered');
    circuit.settle('default', 'unavailable');
    circuit.settle('default', 'unavailable');
    expect(circuit.state('default')).toBe('closed');
    expect(circuit.mayStart('default', inDays(6))).toBe(true);
    circuit.settle('default', 'unavailable');
    expect(circuit.state('default')).toBe('open');
  });

  it('while open, starts only refreshes of tokens that would expire before it half-opens (plus the minimum validity)', () => {
    const { circuit, inDays, inSeconds } = setup();
    for (let i = 0; i < 3; i += 1) circuit.settle('default', 'unavailable');
    expect(circuit.mayStart('default', inDays(6))).toBe(false);
    expect(circuit.mayStart('default', inSeconds(200))).toBe(false);
    expect(circuit.mayStart('default', inSeconds(110))).toBe(true);
    expect(circuit.mayStart('default', inSeconds(-5))).toBe(true);
  });

  it('is per app', () => {
    const { circuit, inDays } = setup();
    for (let i = 0; i < 3; i += 1) circuit.settle('default', 'unavailable');
    expect(circuit.mayStart('other-app', inDays(6))).toBe(true);
    expect(circuit.state('other-app')).toBe('closed');
  });

  it('half-open lets one probe through; an answer closes it, a failure opens it again, nothing learnt gives the turn back', () => {
    const { clock, circuit, inDays } = setup();
    for (let i = 0; i < 3; i += 1) circuit.settle('default', 'unavailable');
    clock.advanceSeconds(60);
    expect(circuit.state('default')).toBe('half_open');
    expect(circuit.mayStart('default', inDays(6))).toBe(true);
    expect(circuit.mayStart('default', inDays(6))).toBe(false);
    circuit.settle('default', 'none');
    expect(circuit.mayStart('default', inDays(6))).toBe(true);
    circuit.settle('default', 'unavailable');
    expect(circuit.state('default')).toBe('open');
    expect(circuit.mayStart('default', inDays(6))).toBe(false);
    clock.advanceSeconds(60);
    expect(circuit.mayStart('default', inDays(6))).toBe(true);
    circuit.settle('default', 'answered');
    expect(circuit.state('default')).toBe('closed');
    expect(circuit.mayStart('default', inDays(6))).toBe(true);
    expect(circuit.mayStart('default', inDays(6))).toBe(true);
  });
});
