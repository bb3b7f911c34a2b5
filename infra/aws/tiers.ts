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

/**
 * The tiers the embedded default meters vendors with: the shipped file's, where a replacement file
 * (`npm start -- --vendor-tiers <file>`, in this file's shape) replaces the limits of the tiers it names. A vendor's
 * tier is always a shipped name (the vendor schema's enum), so a replacement naming another tier could meter
 * nobody: it is refused, as a typo would otherwise leave the tier it meant at its shipped limits without a word.
 * Tiers the replacement does not name keep their shipped limits (they used to take the replacement's `standard`).
 *
 * @param replacement the replacement file's content (validated here); undefined for the shipped tiers alone
 * @throws Error when the replacement is invalid or names a tier that is not shipped, listing the shipped ones
 */
export function vendorTiersWith(replacement?: unknown): VendorTiers['tiers'] {
  const shipped = loadVendorTiers().tiers;
  if (replacement === undefined) return shipped;
  const tiers = loadVendorTiers(replacement).tiers;
  const unknown = Object.keys(tiers).filter((name) => !Object.hasOwn(shipped, name));
  if (unknown.length > 0) {
    throw new Error(
      `the vendor tier file names ${unknown.map((t) => `"${t}"`).join(', ')}, which ${unknown.length === 1 ? 'is not a shipped tier' : 'are not shipped tiers'}: it may change the limits of ${Object.keys(shipped).join(', ')} (shared/policy/vendor-tiers.json), not add tiers`,
    );
  }
  return { ...shipped, ...tiers };
}
