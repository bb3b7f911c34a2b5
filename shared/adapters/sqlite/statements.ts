import type { Database, Statement } from 'better-sqlite3';

/**
 * The statements of one connection by their SQL text, each prepared (compiled) on its first use and kept: an adapter
 * calls the function where it would call `db.prepare`, without compiling the same SQL again at every call.
 */
export function preparedOnce(db: Database): (sql: string) => Statement {
  const cache = new Map<string, Statement>();
  return (sql) => {
    let st = cache.get(sql);
    if (!st) {
      st = db.prepare(sql);
      cache.set(sql, st);
    }
    return st;
  };
}
