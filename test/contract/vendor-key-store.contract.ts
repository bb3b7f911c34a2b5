import { describe, expect, it } from 'vitest';
import type { VendorKeyStore } from '../../shared/ports/vendors.js';

/** The VendorKeyStore contract, passed by every adapter. */
export function vendorKeyStoreContract(
  name: string,
  make: () => Promise<VendorKeyStore> | VendorKeyStore,
): void {
  describe(`VendorKeyStore contract: ${name}`, () => {
    it('finds a vendor by the hash of its key, and nothing for another hash', async () => {
      const store = await make();
      await store.register('a'.repeat(64), { vendorId: 'datadog-eu', tier: 'premium' });
      expect(await store.findByKeyHash('a'.repeat(64))).toEqual({ vendorId: 'datadog-eu', tier: 'premium' });
      expect(await store.findByKeyHash('b'.repeat(64))).toBeUndefined();
    });

    it('re-registering a key hash moves it to the new identity (rotation)', async () => {
      const store = await make();
      await store.register('c'.repeat(64), { vendorId: 'old', tier: 'trial' });
      await store.register('c'.repeat(64), { vendorId: 'new', tier: 'standard' });
      expect(await store.findByKeyHash('c'.repeat(64))).toEqual({ vendorId: 'new', tier: 'standard' });
    });
  });
}
