import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export type Db = Database.Database;

/**
 * The embedded database's schema version, kept in SQLite's `PRAGMA user_version`. Raise it when a release changes
 * the tables in a way an older Accord cannot read: `accord restore` refuses a backup from a newer schema.
 * 2: append records in the compact layout (`encodeSampleLog`) and the SLI activity journal, which version 1 would
 * misread or never fold.
 */
export const SCHEMA_VERSION = 2;

/**
 * Opens (creating on first use) the embedded database: one SQLite file in WAL mode.
 * Each adapter creates its own tables idempotently when constructed.
 */
export function openDatabase(file: string): Db {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.pragma('cache_size = -65536');
  // Sub-journals (a savepoint's or a statement's copy of each page it changes, kept until it ends) in memory, not in
  // temporary files: inside the workflow engine's group commit every nested transaction is a savepoint, and their
  // sub-journals spilled to /var/tmp past 64 KiB, about 100 write calls and 330 KB per approval. Nothing durable is
  // kept there: a sub-journal only serves a rollback inside an open transaction.
  db.pragma('temp_store = MEMORY');
  if ((db.pragma('user_version', { simple: true }) as number) < SCHEMA_VERSION)
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  return db;
}
