import { SqliteAuditStore } from '../../shared/adapters/sqlite/audit.js';
import { openDatabase } from '../../shared/adapters/sqlite/db.js';
import { auditStoreContract } from './audit-store.contract.js';

auditStoreContract('SQLite', () => new SqliteAuditStore(openDatabase(':memory:')));
