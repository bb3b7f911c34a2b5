import Database from 'better-sqlite3';
import { SqliteUnmappedSeriesStore } from '../../shared/adapters/sqlite/telemetry.js';
import { unmappedSeriesStoreContract } from './unmapped-series-store.contract.js';

unmappedSeriesStoreContract('sqlite', () => new SqliteUnmappedSeriesStore(new Database(':memory:')));
