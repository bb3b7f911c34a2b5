import Database from 'better-sqlite3';
import { SqliteExceptionWindowStore } from '../../shared/adapters/sqlite/objectives.js';
import { exceptionWindowStoreContract } from './exception-window-store.contract.js';

exceptionWindowStoreContract('sqlite', () => new SqliteExceptionWindowStore(new Database(':memory:')));
