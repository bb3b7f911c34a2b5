import { z } from 'zod';
import tiersJson from '../../shared/policy/vendor-tiers.json' with { type: 'json' };

/** Vendor usage-plan tiers (shared/policy/vendor-tiers.json): API Gateway token bucket and quota per tier. */
export const VendorTiers = z.strictObject({
  version: z.literal(1),
  tiers: z.record(
    z.string().regex(/^[a-z][a-z0-9-]{0,30}$/),
    z.strictObject({
      rateLimit: z.number().positive().max(10_000),
      burstLimit: z.number().int().positive().max(5_000),
      // DAY resets at 00:00 UTC, MONTH on the 1st at 00:00 UTC, on AWS and on the embedded default alike.
      // WEEK is left out: the day API Gateway starts its week on is not something this code can prove.
      quota: z.strictObject({ limit: z.number().int().positive(), period: z.enum(['DAY', 'MONTH']) }),
    }),
  ),
});
export type VendorTiers = z.infer<typeof VendorTiers>;

export function loadVendorTiers(raw: unknown = tiersJson): VendorTiers {
  const r = VendorTiers.safeParse(raw);
  if (!r.success) {
    throw new Error(
      `shared/policy/vendor-tiers.json is invalid: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return r.data;
}
