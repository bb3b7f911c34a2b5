import Database from 'better-sqlite3';
import { SqliteRollupStore } from '../../shared/adapters/sqlite/rollups.js';
import { rollupStoreContract } from './rollup-store.contract.js';

rollupStoreContract('sqlite', () => new SqliteRollupStore(new Database(':memory:')));
