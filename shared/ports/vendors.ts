/** A monitoring vendor's identity, as its API key maps to it. */
export interface VendorIdentity {
  vendorId: string;
  /** The usage-plan tier that sets its rate limits. */
  tier: string;
}

export interface VendorKeyStore {
  /** The vendor whose key has this SHA-256 hash (hex), or undefined. Keys are never stored in clear. */
  findByKeyHash(hash: string): Promise<VendorIdentity | undefined>;
  register(hash: string, vendor: VendorIdentity): Promise<void>;
}
