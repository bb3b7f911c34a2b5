import { describe, expect, it } from 'vitest';
import { VendorRateLimiter } from '../../../infra/local/rate-limit.js';
import { RateLimitedError } from '../../../shared/domain/errors.js';

const tiers = { version: 1, tiers: { standard: { rateLimit: 2, burstLimit: 3 } } };

describe('the local usage-plan throttle', () => {
  it('lets a burst through, then refuses with the seconds to wait, then refills at the tier rate', () => {
    let now = 0;
    const limiter = new VendorRateLimiter(tiers, () => now);
    for (let i = 0; i < 3; i++) limiter.take('a', 'standard');
    let err: unknown;
    try {
      limiter.take('a', 'standard');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).retryAfterSeconds).toBe(1);
    now = 500; // half a second at 2/s buys one request
    expect(() => limiter.take('a', 'standard')).not.toThrow();
    expect(() => limiter.take('a', 'standard')).toThrow(RateLimitedError);
  });

  it('keeps one bucket per vendor: one vendor’s excess never slows another', () => {
    const limiter = new VendorRateLimiter(tiers, () => 0);
    for (let i = 0; i < 3; i++) limiter.take('noisy', 'standard');
    expect(() => limiter.take('noisy', 'standard')).toThrow(RateLimitedError);
    expect(() => limiter.take('quiet', 'standard')).not.toThrow();
  });
});
