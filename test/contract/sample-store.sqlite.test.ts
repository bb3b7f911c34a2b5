import Database from 'better-sqlite3';
import { SqliteRollupStore } from '../../shared/adapters/sqlite/rollups.js';
import { SqliteSampleStore } from '../../shared/adapters/sqlite/telemetry.js';
import { sampleStoreContract } from './sample-store.contract.js';

sampleStoreContract('sqlite', () => {
  const db = new Database(':memory:');
  const rollups = new SqliteRollupStore(db);
  return { store: new SqliteSampleStore(db, rollups), rollups };
});
