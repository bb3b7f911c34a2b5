import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/** Raised when another process (or another app in this one) holds the data directory. */
export class DataDirInUseError extends Error {
  constructor(readonly dataDir: string) {
    super(
      `the data directory ${dataDir} is in use by another Accord process: one server writes a data directory (its raw samples' heads are that process's memory). Stop the other process, or start this one with --data-dir <another directory>`,
    );
    this.name = 'DataDirInUseError';
  }
}

/**
 * Takes the data directory's single-writer lock (creating the directory when it does not exist yet, as a first start
 * does): an exclusive SQLite lock on `<dataDir>/accord.lock`, held by a
 * connection in EXCLUSIVE locking mode until `release()`. The lock is the operating system's file lock, so it goes
 * with the process however that ends (SIGKILL included): no stale lock file to clean up after a crash.
 * @throws DataDirInUseError when another process, or another unreleased lock in this one, holds it
 */
export function lockDataDir(dataDir: string): { release(): void } {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(join(dataDir, 'accord.lock'), { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    // The first write takes the exclusive lock; in EXCLUSIVE mode it is kept after the commit.
    db.exec('CREATE TABLE IF NOT EXISTS holder (pid INTEGER NOT NULL, since TEXT NOT NULL)');
    db.transaction(() => {
      db.prepare('DELETE FROM holder').run();
      db.prepare('INSERT INTO holder (pid, since) VALUES (?, ?)').run(process.pid, new Date().toISOString());
    })();
  } catch (error) {
    db.close();
    if ((error as { code?: string }).code?.startsWith('SQLITE_BUSY')) throw new DataDirInUseError(dataDir);
    throw error;
  }
  return { release: () => db.close() };
}
