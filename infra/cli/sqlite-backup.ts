/**
 * Backup and restore of the embedded default's SQLite file with SQLite's online backup API (better-sqlite3's
 * `backup`): a consistent copy page by page while Accord keeps writing (WAL), and a restore that refuses a backup
 * whose schema (`PRAGMA user_version`) is newer than this Accord's.
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { SCHEMA_VERSION } from '../../shared/adapters/sqlite/db.js';
import { DataDirInUseError, lockDataDir } from '../local/data-dir-lock.js';
import { CliError, EXIT } from './client.js';

export interface CopyProgress {
  totalPages: number;
  remainingPages: number;
}

/**
 * Copies the live database `dbFile` to `target` (a new file) while it runs.
 * @returns pages copied and the backup's schema version
 */
export async function backupDatabase(
  dbFile: string,
  target: string,
  onProgress?: (p: CopyProgress) => void,
): Promise<{ pages: number; schemaVersion: number }> {
  if (!existsSync(dbFile)) throw new CliError(`no database at ${dbFile}`, EXIT.notFound);
  if (existsSync(target))
    throw new CliError(`${target} exists: a backup never overwrites a file`, EXIT.refused);
  const src = new Database(dbFile, { fileMustExist: true });
  try {
    src.pragma('busy_timeout = 5000');
    const schemaVersion = src.pragma('user_version', { simple: true }) as number;
    // better-sqlite3 calls `progress` between steps only, never after the last one (the step that leaves 0 pages
    // resolves the promise instead), and not at all for a database copied in the first step: the final figures
    // come from the answer, and the 100 % is reported here.
    const done = await src.backup(target, {
      progress: (p) => {
        onProgress?.(p);
        return 256; // pages per step: short steps so Accord's writers are not held up
      },
    });
    onProgress?.({ totalPages: done.totalPages, remainingPages: 0 });
    return { pages: done.totalPages, schemaVersion };
  } finally {
    src.close();
  }
}

/**
 * Restores `backup` over `dbFile` (Accord must be stopped: its open connection would keep the old pages). Refuses
 * a backup from a newer schema than SCHEMA_VERSION (exit 7), one that is not an SQLite database, and (exit 5) a
 * database whose data directory a running Accord holds (`lockDataDir`).
 */
export async function restoreDatabase(backup: string, dbFile: string): Promise<{ schemaVersion: number }> {
  if (!existsSync(backup)) throw new CliError(`no backup at ${backup}`, EXIT.notFound);
  let src: Database.Database;
  let schemaVersion: number;
  try {
    src = new Database(backup, { readonly: true, fileMustExist: true });
    schemaVersion = src.pragma('user_version', { simple: true }) as number;
    const check = src.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new Error(`integrity check: ${String(check)}`);
  } catch (e) {
    throw new CliError(`${backup} is not a usable SQLite database: ${(e as Error).message}`, EXIT.refused);
  }
  try {
    if (schemaVersion > SCHEMA_VERSION)
      throw new CliError(
        `${backup} has schema version ${schemaVersion}; this Accord reads up to ${SCHEMA_VERSION}: upgrade Accord first`,
        EXIT.newerSchema,
      );
    // Holding the data directory's lock: a running Accord keeps the old database open and writing (its WAL deleted
    // under it, every write it acknowledges after the restore lost), so it must be stopped first, and is asked to.
    let lock: { release(): void };
    try {
      lock = lockDataDir(dirname(resolve(dbFile)));
    } catch (e) {
      if (e instanceof DataDirInUseError)
        throw new CliError(
          `Accord is running on ${dirname(resolve(dbFile))}: stop it before restoring over its database`,
          EXIT.refused,
        );
      throw e;
    }
    try {
      // Into a temporary file, then renamed over the database: a failed restore leaves the old database whole.
      const tmp = `${dbFile}.restoring`;
      rmSync(tmp, { force: true });
      await src.backup(tmp);
      for (const suffix of ['-wal', '-shm']) rmSync(`${dbFile}${suffix}`, { force: true });
      renameSync(tmp, dbFile);
      return { schemaVersion };
    } finally {
      lock.release();
    }
  } finally {
    src.close();
  }
}
