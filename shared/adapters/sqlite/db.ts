import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export type Db = Database.Database;

/**
 * The embedded database's schema version, kept in SQLite's `PRAGMA user_version`. Raise it when a release changes
 * the tables in a way an older Accord cannot read: `accord restore` refuses a backup from a newer schema.
 */
export const SCHEMA_VERSION = 1;

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
  if ((db.pragma('user_version', { simple: true }) as number) < SCHEMA_VERSION)
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  return db;
}
