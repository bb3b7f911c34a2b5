import tiersJson from './vendor-tiers.json' with { type: 'json' };

/**
 * The names of the vendor usage-plan tiers (shared/policy/vendor-tiers.json): what a vendor's `tier` may be.
 * The file's rates and quotas are validated where they are used (infra/aws/tiers.ts, infra/local/rate-limit.ts).
 */
export const VENDOR_TIERS = Object.keys(tiersJson.tiers) as [string, ...string[]];
if (VENDOR_TIERS.length === 0) throw new Error('shared/policy/vendor-tiers.json names no tier');
