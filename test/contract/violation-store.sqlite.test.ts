import Database from 'better-sqlite3';
import { SqliteViolationStore } from '../../shared/adapters/sqlite/objectives.js';
import { violationStoreContract } from './violation-store.contract.js';

violationStoreContract('sqlite', () => new SqliteViolationStore(new Database(':memory:')));
