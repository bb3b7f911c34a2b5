import { openDatabase } from '../../shared/adapters/sqlite/db.js';
import { SqliteVendorKeyStore } from '../../shared/adapters/sqlite/vendors.js';
import { vendorKeyStoreContract } from './vendor-key-store.contract.js';

vendorKeyStoreContract('SQLite', () => new SqliteVendorKeyStore(openDatabase(':memory:')));
