import type { Vendor, VendorBinding, VendorKeyInfo } from '../../schemas/vendor.js';

/** At most this many keys of one vendor authenticate at once (a rotation's overlap needs two). */
export const MAX_USABLE_KEYS = 5;
/** The longest overlap a rotation may give the keys it replaces. */
export const MAX_OVERLAP_MS = 30 * 86_400_000;
/** The overlap a rotation gives when it states none: a day for every agent to pick up the new key. */
export const DEFAULT_OVERLAP_MS = 86_400_000;

/** Whether a key authenticates at an instant (epoch ms): not revoked, and before its `notAfter` if it has one. */
export function keyUsableAt(key: Pick<VendorKeyInfo, 'revokedAt' | 'notAfter'>, atMs: number): boolean {
  if (key.revokedAt !== undefined) return false;
  return key.notAfter === undefined || Date.parse(key.notAfter) > atMs;
}

/** The keys of a vendor that authenticate at an instant; none when the vendor is revoked. */
export function usableKeys(vendor: Pick<Vendor, 'status' | 'keys'>, atMs: number): VendorKeyInfo[] {
  return vendor.status === 'active' ? vendor.keys.filter((k) => keyUsableAt(k, atMs)) : [];
}

/**
 * One row of the key index the vendor authorizer reads (by the key's SHA-256): what the vendor's record says
 * about a key that may still authenticate. Stores derive these rows from the record on every write, so the
 * index never says more than the audited record.
 */
export interface KeyRow {
  keyId: string;
  vendorId: string;
  tier: string;
  /** ISO instant after which the key stops authenticating. */
  notAfter?: string;
}

/** The key rows a vendor's record implies at an instant: its usable keys, with the vendor's tier. */
export function keyRowsOf(vendor: Vendor, atMs: number): KeyRow[] {
  return usableKeys(vendor, atMs).map((k) => ({
    keyId: k.keyId,
    vendorId: vendor.id,
    tier: vendor.tier,
    ...(k.notAfter !== undefined ? { notAfter: k.notAfter } : {}),
  }));
}

/** `bindings[i]` of the first binding that repeats an earlier one (the same service, or the same SLI), if any. */
export function duplicateBinding(bindings: readonly VendorBinding[]): number | undefined {
  const seen = new Set<string>();
  for (const [i, b] of bindings.entries()) {
    // Stryker disable next-line StringLiteral: an SLI name is a lower-case slug (never empty nor '*'), so `svc/` stands for every SLI as well as `svc/*`
    const k = `${b.serviceId}/${b.sli ?? '*'}`;
    if (seen.has(k)) return i;
    seen.add(k);
  }
  return undefined;
}
