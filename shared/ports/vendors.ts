import type { KeyRow } from '../domain/vendors/keys.js';
import type { Vendor } from '../schemas/vendor.js';
import type { Page } from './agreements.js';

/** A monitoring vendor's identity, as its API key maps to it (what the vendor authorizer hands on). */
export interface VendorIdentity {
  vendorId: string;
  /** The usage-plan tier that sets its rate limits. */
  tier: string;
}

/** The secret side of a newly issued key: its id and the SHA-256 (hex) of the key. The key itself is never stored. */
export interface KeySecret {
  keyId: string;
  hash: string;
}

/** What the key index holds for one key hash: the row its vendor's record implies, and the vendor's usage key. */
export interface KeyGrant extends KeyRow {
  /** The value API Gateway meters the vendor by (`usageIdentifierKey`); absent where no usage plan applies. */
  usageKey?: string;
}

/**
 * Vendors, their bindings and their keys. The vendor record (what the API shows and the audit trail diffs) and
 * the key index (key hash → the vendor, what the authorizer reads) change together in one transaction: every
 * write derives the index from the record (`keyRowsOf`), so a revoked or expired key leaves the index in the
 * same commit that records it. Each committed change yields one change record, from which the audit trail is
 * written (as for agreements and services).
 */
export interface VendorStore {
  /**
   * Stores a new vendor with its first keys (their hashes in `secrets`) and the usage key API Gateway meters it by.
   * ConflictError when the id exists or a hash is already indexed.
   */
  create(vendor: Vendor, secrets: readonly KeySecret[], usageKey?: string): Promise<void>;
  /**
   * Stores `next` when the current version is `next.version - 1` (VersionConflictError otherwise) and brings the
   * key index to `keyRowsOf(next, atMs)`: new keys need their hash in `secrets`; keys no longer usable leave it.
   */
  update(next: Vendor, atMs: number, secrets?: readonly KeySecret[]): Promise<void>;
  get(id: string): Promise<Vendor | undefined>;
  /** Vendors by id, a page at a time (keyset: ids after `after`). */
  list(query: { limit: number; after?: string }): Promise<Page<Vendor>>;
  /** The index row of a key by its SHA-256 (hex), or undefined. The caller judges `notAfter` with its clock. */
  findKey(hash: string): Promise<KeyGrant | undefined>;
}

/**
 * Enrolment in the API Gateway usage plans that throttle and meter vendors (AWS): one API key per vendor, never
 * given to it, whose value the authorizer returns as `usageIdentifierKey` whichever header carried the vendor's
 * own key. The embedded default meters by vendor id in its own limiter and enrols nothing.
 */
export interface UsagePlans {
  /** Creates the vendor's metering key on its tier's usage plan. */
  enrol(vendorId: string, tier: string): Promise<{ usagePlanKeyId: string; usageKey: string }>;
  /** Removes the metering key (a revoked vendor); a key already gone is not an error. */
  withdraw(usagePlanKeyId: string): Promise<void>;
}
