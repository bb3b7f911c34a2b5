import { QuotaExceededError, RateLimitedError } from '../../shared/domain/errors.js';
import { type VendorTiers, vendorTiersWith } from '../aws/tiers.js';

interface Bucket {
  tokens: number;
  at: number;
}

interface Usage {
  /** Start of the quota period the count belongs to (epoch ms, UTC). */
  periodStart: number;
  count: number;
}

type Tier = VendorTiers['tiers'][string];

/** Start (epoch ms) of the quota period holding `at`, and of the next one: UTC days or UTC calendar months. */
export function quotaPeriod(period: Tier['quota']['period'], at: number): { start: number; next: number } {
  const d = new Date(at);
  if (period === 'DAY') {
    const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
    return { start, next: start + 86_400_000 };
  }
  return {
    start: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1),
    next: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1),
  };
}

/**
 * The usage plan on the embedded default, from the same tier file as API Gateway's usage plans
 * (shared/policy/vendor-tiers.json): a token bucket per vendor, refilled at the tier's rate up to its burst, and
 * a quota per vendor and period (UTC day or month). The local server asks before a vendor request reaches its
 * handler, where API Gateway meters it on AWS. Each vendor has its own bucket and count, so one vendor's excess
 * never slows another. Both refusals are 429 with Retry-After: `rate_limited` with the seconds until a token is
 * back, `quota_exceeded` with the seconds until the period resets (API Gateway can only send a fixed hour for
 * that, see shared/http/edge-errors.ts).
 */
export class VendorRateLimiter {
  private readonly tiers: VendorTiers['tiers'];
  private readonly buckets = new Map<string, Bucket>();
  private readonly usage = new Map<string, Usage>();

  /**
   * @param raw a replacement tier file's content (validated here: `vendorTiersWith`); the shipped tiers without it
   * @param now a monotonic clock in ms, for the buckets
   * @param wallClock epoch ms, for the quota periods
   */
  constructor(
    raw?: unknown,
    private readonly now: () => number = () => performance.now(),
    private readonly wallClock: () => number = () => Date.now(),
  ) {
    this.tiers = vendorTiersWith(raw);
  }

  /**
   * Takes one request from the vendor's allowance. Throws QuotaExceededError when the period's quota is used up,
   * RateLimitedError when the bucket is empty; a refused request is not counted.
   */
  take(vendorId: string, tier: string): void {
    const t = Object.hasOwn(this.tiers, tier) ? this.tiers[tier] : undefined;
    if (!t) throw new Error(`unknown usage-plan tier ${tier}`);

    const wall = this.wallClock();
    const period = quotaPeriod(t.quota.period, wall);
    let u = this.usage.get(vendorId);
    if (!u || u.periodStart !== period.start) {
      u = { periodStart: period.start, count: 0 };
      this.usage.set(vendorId, u);
    }
    if (u.count >= t.quota.limit) {
      throw new QuotaExceededError(
        `vendor ${vendorId} has used its ${tier} quota of ${t.quota.limit} requests per ${t.quota.period === 'DAY' ? 'day' : 'month'} (UTC)`,
        Math.max(1, Math.ceil((period.next - wall) / 1000)),
      );
    }

    const now = this.now();
    let b = this.buckets.get(vendorId);
    if (!b) {
      b = { tokens: t.burstLimit, at: now };
      this.buckets.set(vendorId, b);
    }
    b.tokens = Math.min(t.burstLimit, b.tokens + ((now - b.at) / 1000) * t.rateLimit);
    b.at = now;
    if (b.tokens < 1) {
      const wait = Math.max(1, Math.ceil((1 - b.tokens) / t.rateLimit));
      throw new RateLimitedError(
        `vendor ${vendorId} exceeds its ${tier} usage plan: ${t.rateLimit} requests/s, bursts of ${t.burstLimit}`,
        wait,
      );
    }
    b.tokens -= 1;
    u.count += 1;
  }

  /** The LocalApi's vendorGate. */
  gate = (vendor: Record<string, unknown>): void => {
    this.take(String(vendor.vendorId ?? 'unknown'), String(vendor.tier ?? 'standard'));
  };
}
