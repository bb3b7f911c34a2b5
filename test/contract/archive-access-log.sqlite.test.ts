import { SqliteArchiveAccessLog } from '../../shared/adapters/sqlite/archive-access.js';
import { openDatabase } from '../../shared/adapters/sqlite/db.js';
import { archiveAccessLogContract } from './archive-access-log.contract.js';

archiveAccessLogContract('SQLite', () => new SqliteArchiveAccessLog(openDatabase(':memory:')));
