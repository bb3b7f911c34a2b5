import Database from 'better-sqlite3';
import { SqliteSeriesStateStore } from '../../shared/adapters/sqlite/telemetry.js';
import { seriesStateStoreContract } from './series-state-store.contract.js';

seriesStateStoreContract('sqlite', () => new SqliteSeriesStateStore(new Database(':memory:')));
