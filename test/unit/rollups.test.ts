import { describe, expect, it } from 'vitest';
import { BUCKET_MS, isFilled, sliKey, ZERO_CUMULATIVE } from '../../shared/domain/rollups.js';

describe('rollups', () => {
  it('cuts time into five-minute buckets', () => {
    expect(BUCKET_MS).toBe(5 * 60 * 1000);
  });

  it('names an SLI by its service and its name, joined by a slash', () => {
    expect(sliKey('svc_checkout', 'availability')).toBe('svc_checkout/availability');
  });

  it('starts running totals at zero, and nobody can change that zero', () => {
    expect(ZERO_CUMULATIVE).toEqual({ good: 0, total: 0, count: 0, sum: 0, filled: 0 });
    expect(Object.isFrozen(ZERO_CUMULATIVE)).toBe(true);
  });

  it('calls a bucket filled when it holds any event or any value, and empty otherwise', () => {
    expect(isFilled({ total: 0, count: 0 })).toBe(false);
    expect(isFilled({ total: 1, count: 0 })).toBe(true);
    expect(isFilled({ total: 0, count: 1 })).toBe(true);
    expect(isFilled({ total: 0.5, count: 0 })).toBe(true);
    expect(isFilled({ total: -1, count: -1 })).toBe(false);
  });
});
