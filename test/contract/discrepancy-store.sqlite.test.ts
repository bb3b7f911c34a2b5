import Database from 'better-sqlite3';
import { SqliteDiscrepancyStore } from '../../shared/adapters/sqlite/telemetry.js';
import { discrepancyStoreContract } from './discrepancy-store.contract.js';

discrepancyStoreContract('sqlite', () => new SqliteDiscrepancyStore(new Database(':memory:')));
