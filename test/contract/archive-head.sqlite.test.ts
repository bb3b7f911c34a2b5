import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { SqliteArchiveHeadStore } from '../../shared/adapters/sqlite/archive-head.js';
import { openDatabase } from '../../shared/adapters/sqlite/db.js';
import { archiveHeadStoreContract } from './archive-head.contract.js';

const root = mkdtempSync(join(tmpdir(), 'accord-archive-head-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

archiveHeadStoreContract('SQLite', async () => {
  // A database file, opened twice: as two processes of `npm start` would.
  const file = join(root, `${n++}.db`);
  return {
    store: new SqliteArchiveHeadStore(openDatabase(file)),
    again: () => new SqliteArchiveHeadStore(openDatabase(file)),
  };
});
