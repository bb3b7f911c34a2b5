import { openDatabase } from '../../shared/adapters/sqlite/db.js';
import { SqliteVendorStore } from '../../shared/adapters/sqlite/vendors.js';
import { vendorStoreContract } from './vendor-store.contract.js';

vendorStoreContract('SQLite', () => new SqliteVendorStore(openDatabase(':memory:')));
