import Database from 'better-sqlite3';
import { SqliteIdempotencyStore } from '../../shared/adapters/sqlite/telemetry.js';
import { idempotencyStoreContract } from './idempotency-store.contract.js';

idempotencyStoreContract('sqlite', () => new SqliteIdempotencyStore(new Database(':memory:')));
