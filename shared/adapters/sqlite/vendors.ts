import type { VendorIdentity, VendorKeyStore } from '../../ports/vendors.js';
import type { Db } from './db.js';

export class SqliteVendorKeyStore implements VendorKeyStore {
  private readonly s;
  constructor(db: Db) {
    db.exec(
      'CREATE TABLE IF NOT EXISTS vendor_keys (key_hash TEXT PRIMARY KEY, vendor_id TEXT NOT NULL, tier TEXT NOT NULL) WITHOUT ROWID',
    );
    this.s = {
      find: db.prepare('SELECT vendor_id AS vendorId, tier FROM vendor_keys WHERE key_hash = ?'),
      put: db.prepare('INSERT OR REPLACE INTO vendor_keys (key_hash, vendor_id, tier) VALUES (?, ?, ?)'),
    };
  }

  async findByKeyHash(hash: string): Promise<VendorIdentity | undefined> {
    return this.s.find.get(hash) as VendorIdentity | undefined;
  }

  async register(hash: string, vendor: VendorIdentity): Promise<void> {
    this.s.put.run(hash, vendor.vendorId, vendor.tier);
  }
}
