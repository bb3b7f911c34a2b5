import Database from 'better-sqlite3';
import { SqliteSliActivityStore } from '../../shared/adapters/sqlite/telemetry.js';
import { sliActivityStoreContract } from './sli-activity-store.contract.js';

sliActivityStoreContract('sqlite', () => new SqliteSliActivityStore(new Database(':memory:')));
