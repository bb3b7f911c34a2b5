import { describe, expect, it } from 'vitest';
import { quotaPeriod, VendorRateLimiter } from '../../../infra/local/rate-limit.js';
import { QuotaExceededError, RateLimitedError } from '../../../shared/domain/errors.js';
import { errorResponse } from '../../../shared/http/errors.js';

const tiers = (quota = { limit: 1000, period: 'DAY' }) => ({
  version: 1,
  tiers: { standard: { rateLimit: 2, burstLimit: 3, quota } },
});

function refusal(f: () => void): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('the local usage-plan throttle', () => {
  it('lets a burst through, then refuses with the seconds to wait, then refills at the tier rate', () => {
    let now = 0;
    const limiter = new VendorRateLimiter(tiers(), () => now);
    for (let i = 0; i < 3; i++) limiter.take('a', 'standard');
    const err = refusal(() => limiter.take('a', 'standard'));
    expect(err).toBeInstanceOf(RateLimitedError);
    expect(err).not.toBeInstanceOf(QuotaExceededError);
    expect((err as RateLimitedError).retryAfterSeconds).toBe(1);
    now = 500; // half a second at 2/s buys one request
    expect(() => limiter.take('a', 'standard')).not.toThrow();
    expect(() => limiter.take('a', 'standard')).toThrow(RateLimitedError);
  });

  it('keeps one bucket per vendor: one vendor’s excess never slows another', () => {
    const limiter = new VendorRateLimiter(tiers(), () => 0);
    for (let i = 0; i < 3; i++) limiter.take('noisy', 'standard');
    expect(() => limiter.take('noisy', 'standard')).toThrow(RateLimitedError);
    expect(() => limiter.take('quiet', 'standard')).not.toThrow();
  });
});

describe('the local usage-plan quota (as API Gateway’s: per vendor, per UTC day or month)', () => {
  it('refuses the request after the daily quota with 429 quota_exceeded and the seconds to 00:00 UTC', () => {
    let mono = 0;
    const wall = Date.parse('2026-03-10T22:30:00Z');
    const limiter = new VendorRateLimiter(
      tiers({ limit: 5, period: 'DAY' }),
      () => mono,
      () => wall,
    );
    for (let i = 0; i < 5; i++) {
      mono += 1000; // well inside the rate: only the quota can refuse
      limiter.take('a', 'standard');
    }
    mono += 1000;
    const err = refusal(() => limiter.take('a', 'standard'));
    expect(err).toBeInstanceOf(QuotaExceededError);
    // 22:30 to midnight is an hour and a half.
    expect((err as QuotaExceededError).retryAfterSeconds).toBe(5400);
    const res = errorResponse(err, 'r1');
    expect(res.statusCode).toBe(429);
    expect(res.headers?.['Retry-After']).toBe('5400');
    expect(JSON.parse(res.body).error.code).toBe('quota_exceeded');
    // Another vendor has its own count.
    expect(() => limiter.take('b', 'standard')).not.toThrow();
  });

  it('starts counting again when the UTC day turns', () => {
    let wall = Date.parse('2026-03-10T23:59:59Z');
    let mono = 0;
    const limiter = new VendorRateLimiter(
      tiers({ limit: 1, period: 'DAY' }),
      () => (mono += 1000),
      () => wall,
    );
    limiter.take('a', 'standard');
    expect((refusal(() => limiter.take('a', 'standard')) as QuotaExceededError).retryAfterSeconds).toBe(1);
    wall = Date.parse('2026-03-11T00:00:00Z');
    expect(() => limiter.take('a', 'standard')).not.toThrow();
  });

  it('resets a monthly quota on the 1st at 00:00 UTC', () => {
    expect(quotaPeriod('MONTH', Date.parse('2026-02-28T23:59:00Z'))).toEqual({
      start: Date.parse('2026-02-01T00:00:00Z'),
      next: Date.parse('2026-03-01T00:00:00Z'),
    });
    expect(quotaPeriod('DAY', Date.parse('2026-12-31T12:00:00Z')).next).toBe(
      Date.parse('2027-01-01T00:00:00Z'),
    );
  });

  it('does not count a throttled request against the quota', () => {
    let mono = 0;
    const limiter = new VendorRateLimiter(
      tiers({ limit: 4, period: 'DAY' }),
      () => mono,
      () => Date.parse('2026-03-10T12:00:00Z'),
    );
    for (let i = 0; i < 3; i++) limiter.take('a', 'standard');
    expect(refusal(() => limiter.take('a', 'standard'))).not.toBeInstanceOf(QuotaExceededError);
    mono += 10_000;
    limiter.take('a', 'standard'); // the 4th counted request
    mono += 10_000;
    expect(refusal(() => limiter.take('a', 'standard'))).toBeInstanceOf(QuotaExceededError);
  });

  it('reads the tiers, quotas included, from the one tier file API Gateway’s usage plans come from', () => {
    const limiter = new VendorRateLimiter();
    expect(() => limiter.take('v', 'trial')).not.toThrow();
    expect(
      () => new VendorRateLimiter({ version: 1, tiers: { x: { rateLimit: 1, burstLimit: 1 } } }),
    ).toThrow(/vendor-tiers\.json is invalid/);
  });

  it('keeps the shipped limits of the tiers a replacement tier file does not name', () => {
    // The clock stands still: premium's shipped burst (400) is what a premium vendor gets, not the file's standard (3).
    const limiter = new VendorRateLimiter(tiers(), () => 0);
    for (let i = 0; i < 400; i++) limiter.take('p', 'premium');
    expect(refusal(() => limiter.take('p', 'premium'))).toBeInstanceOf(RateLimitedError);
    for (let i = 0; i < 3; i++) limiter.take('s', 'standard');
    expect(refusal(() => limiter.take('s', 'standard'))).toBeInstanceOf(RateLimitedError);
  });

  it('refuses a replacement tier file naming a tier no vendor can have, listing the shipped tiers', () => {
    // A vendor's tier is a shipped name: a `bench` tier would meter nobody while `standard` kept its 50 requests/s.
    const bench = { rateLimit: 10_000, burstLimit: 5_000, quota: { limit: 1_000_000_000, period: 'DAY' } };
    expect(() => new VendorRateLimiter({ version: 1, tiers: { bench } })).toThrow(
      /names "bench", which is not a shipped tier: it may change the limits of standard, premium, trial/,
    );
    expect(() => new VendorRateLimiter({ version: 1, tiers: { constructor: bench } })).toThrow(
      /names "constructor", which is not a shipped tier/,
    );
  });
});
