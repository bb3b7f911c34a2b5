import type { Database, Statement } from 'better-sqlite3';

/**
 * The statements of one connection by a key, each prepared (compiled) from `sqlOf(key)` on the key's first use and
 * kept: for SQL that varies with, say, a number of rows, built and compiled once per number.
 */
export function preparedOnceBy<K>(db: Database, sqlOf: (key: K) => string): (key: K) => Statement<unknown[]> {
  const cache = new Map<K, Statement<unknown[]>>();
  return (key) => {
    let st = cache.get(key);
    if (st === undefined) {
      st = db.prepare(sqlOf(key));
      cache.set(key, st);
    }
    return st;
  };
}

/**
 * The statements of one connection by their SQL text, each prepared on its first use and kept: an adapter calls the
 * function where it would call `db.prepare`, without compiling the same SQL again at every call.
 */
export function preparedOnce(db: Database): (sql: string) => Statement {
  return preparedOnceBy(db, (sql: string) => sql);
}
