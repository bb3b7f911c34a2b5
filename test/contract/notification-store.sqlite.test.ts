import Database from 'better-sqlite3';
import { SqliteNotificationStore } from '../../shared/adapters/sqlite/notifications.js';
import { notificationStoreContract } from './notification-store.contract.js';

notificationStoreContract('sqlite', () => new SqliteNotificationStore(new Database(':memory:')));
