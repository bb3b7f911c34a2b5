import Database from 'better-sqlite3';
import { SqliteWorkTaskStore } from '../../shared/adapters/sqlite/tasks.js';
import { workTaskStoreContract } from './work-task-store.contract.js';

workTaskStoreContract('sqlite', () => new SqliteWorkTaskStore(new Database(':memory:')));
