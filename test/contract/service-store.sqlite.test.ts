import { openDatabase } from '../../shared/adapters/sqlite/db.js';
import { SqliteServiceStore } from '../../shared/adapters/sqlite/services.js';
import { serviceStoreContract } from './service-store.contract.js';

serviceStoreContract('SQLite', () => new SqliteServiceStore(openDatabase(':memory:')));
