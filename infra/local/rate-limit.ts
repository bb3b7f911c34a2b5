import { z } from 'zod';
import { RateLimitedError } from '../../shared/domain/errors.js';
import tiersJson from '../../shared/policy/vendor-tiers.json' with { type: 'json' };

const VendorTiers = z.object({
  version: z.literal(1),
  tiers: z.record(
    z.string(),
    z.object({
      /** Steady requests per second. */
      rateLimit: z.number().positive(),
      /** Requests that may arrive at once (the bucket's size). */
      burstLimit: z.number().int().positive(),
    }),
  ),
});

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * The usage plan's throttle on the embedded default: a token bucket per vendor, refilled at the tier's rate
 * up to its burst. On AWS, API Gateway's usage plan does this; here the local server asks before a vendor
 * request reaches its handler. Each vendor has its own bucket, so one vendor's excess never slows another.
 */
export class VendorRateLimiter {
  private readonly tiers: z.infer<typeof VendorTiers>['tiers'];
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    raw: unknown = tiersJson,
    private readonly now: () => number = () => performance.now(),
  ) {
    const r = VendorTiers.safeParse(raw);
    if (!r.success) throw new Error(`shared/policy/vendor-tiers.json is invalid: ${r.error.message}`);
    this.tiers = r.data.tiers;
  }

  /** Takes one request from the vendor's bucket, or throws RateLimitedError with the seconds to wait. */
  take(vendorId: string, tier: string): void {
    const t = this.tiers[tier] ?? this.tiers.standard;
    if (!t) throw new Error(`unknown usage-plan tier ${tier}`);
    const now = this.now();
    let b = this.buckets.get(vendorId);
    if (!b) {
      b = { tokens: t.burstLimit, at: now };
      this.buckets.set(vendorId, b);
    }
    b.tokens = Math.min(t.burstLimit, b.tokens + ((now - b.at) / 1000) * t.rateLimit);
    b.at = now;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return;
    }
    const wait = Math.max(1, Math.ceil((1 - b.tokens) / t.rateLimit));
    throw new RateLimitedError(
      `vendor ${vendorId} exceeds its ${tier} usage plan: ${t.rateLimit} requests/s, bursts of ${t.burstLimit}`,
      wait,
    );
  }

  /** The LocalApi's vendorGate. */
  gate = (vendor: Record<string, unknown>): void => {
    this.take(String(vendor.vendorId ?? 'unknown'), String(vendor.tier ?? 'standard'));
  };
}
