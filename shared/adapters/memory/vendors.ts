import type { VendorIdentity, VendorKeyStore } from '../../ports/vendors.js';

export class MemoryVendorKeyStore implements VendorKeyStore {
  private readonly rows = new Map<string, VendorIdentity>();
  async findByKeyHash(hash: string): Promise<VendorIdentity | undefined> {
    const v = this.rows.get(hash);
    return v ? { ...v } : undefined;
  }
  async register(hash: string, vendor: VendorIdentity): Promise<void> {
    this.rows.set(hash, { ...vendor });
  }
}
