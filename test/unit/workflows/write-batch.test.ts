import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../shared/adapters/sqlite/db.js';
import { SqliteWriteBatch } from '../../../shared/adapters/sqlite/write-batch.js';

const nextMacrotask = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('the embedded engine’s write batch (one SQLite transaction per engine step)', () => {
  let dir: string;
  let file: string;
  let db: ReturnType<typeof openDatabase>;
  let reader: Database.Database;
  const count = () => (reader.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'accord-batch-'));
    file = join(dir, 'a.db');
    db = openDatabase(file);
    db.exec('CREATE TABLE t (k TEXT PRIMARY KEY)');
    reader = new Database(file, { readonly: true });
  });
  afterEach(() => {
    reader.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('commits every write of one burst, awaited continuations included, as one transaction when the burst ends', async () => {
    const batch = new SqliteWriteBatch(db);
    const insert = db.prepare('INSERT INTO t (k) VALUES (?)');
    batch.open();
    insert.run('a');
    await Promise.resolve();
    batch.open();
    insert.run('b');
    db.transaction(() => insert.run('c'))();
    expect(count()).toBe(0); // another connection sees none of it yet
    await nextMacrotask();
    expect(db.inTransaction).toBe(false);
    expect(count()).toBe(3);
    expect(batch.commits).toBe(1);
  });

  it('keeps a failed inner transaction’s rollback to itself and commits the rest of the burst', async () => {
    const batch = new SqliteWriteBatch(db);
    const insert = db.prepare('INSERT INTO t (k) VALUES (?)');
    batch.open();
    insert.run('a');
    expect(() =>
      db.transaction(() => {
        insert.run('b');
        insert.run('a'); // duplicate key: this inner transaction is rolled back
      })(),
    ).toThrow(/UNIQUE/);
    await nextMacrotask();
    expect(reader.prepare('SELECT k FROM t ORDER BY k').all()).toEqual([{ k: 'a' }]);
  });

  it('commits at once on flush, and a burst with nothing opened writes by itself', async () => {
    const batch = new SqliteWriteBatch(db);
    batch.open();
    db.prepare('INSERT INTO t (k) VALUES (?)').run('a');
    batch.flush();
    expect(count()).toBe(1);
    db.prepare('INSERT INTO t (k) VALUES (?)').run('b');
    expect(count()).toBe(2);
    await nextMacrotask();
    expect(batch.commits).toBe(1);
  });

  it('commits a unit of work before it returns, every write of it in one transaction', async () => {
    const batch = new SqliteWriteBatch(db);
    const insert = db.prepare('INSERT INTO t (k) VALUES (?)');
    const out = await batch.unit(async () => {
      insert.run('a');
      await Promise.resolve();
      db.transaction(() => insert.run('b'))();
      expect(count()).toBe(0);
      return 'done';
    });
    expect(out).toBe('done');
    expect(db.inTransaction).toBe(false);
    expect(count()).toBe(2); // no macrotask has run: committed by the unit itself
    expect(batch.commits).toBe(1);
  });

  it('joins a unit of work to the batch already open, whose opener commits it', async () => {
    const batch = new SqliteWriteBatch(db);
    const insert = db.prepare('INSERT INTO t (k) VALUES (?)');
    batch.open();
    insert.run('a');
    await batch.unit(async () => {
      insert.run('b');
    });
    expect(db.inTransaction).toBe(true);
    expect(count()).toBe(0);
    await nextMacrotask();
    expect(count()).toBe(2);
    expect(batch.commits).toBe(1);
  });

  it('commits what a failing unit of work wrote before it threw, and rethrows its error', async () => {
    const batch = new SqliteWriteBatch(db);
    await expect(
      batch.unit(async () => {
        db.prepare('INSERT INTO t (k) VALUES (?)').run('a');
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(db.inTransaction).toBe(false);
    expect(count()).toBe(1);
  });

  it('throws when a unit’s commit fails and keeps none of its writes, so its caller cannot answer as if they were kept', async () => {
    db.exec(
      'CREATE TABLE p (id TEXT PRIMARY KEY); CREATE TABLE c (id TEXT PRIMARY KEY, p TEXT REFERENCES p (id) DEFERRABLE INITIALLY DEFERRED)',
    );
    const reported: unknown[] = [];
    const batch = new SqliteWriteBatch(db, (e) => reported.push(e));
    await expect(
      batch.unit(async () => {
        db.prepare('INSERT INTO t (k) VALUES (?)').run('a');
        db.prepare('INSERT INTO c (id, p) VALUES (?, ?)').run('c1', 'missing'); // fails only at COMMIT
      }),
    ).rejects.toThrow(/FOREIGN KEY/);
    expect(db.inTransaction).toBe(false);
    expect(count()).toBe(0);
    expect(reported).toEqual([]); // thrown to the caller, not only logged
  });
});
