import type { Db } from '../../shared/adapters/sqlite/db.js';

/** One statement an adapter ran, with the arguments of its first run (the plan is asked with them). */
export interface RanStatement {
  sql: string;
  args: unknown[];
}

/**
 * Wraps a SQLite connection so that every statement prepared through it records its SQL and arguments when it
 * runs (`run`, `get`, `all`, `iterate`); everything else goes to the real connection. `ran` keeps one entry per
 * distinct SQL text, in first-run order; `clear()` forgets them (to watch one operation after a set-up).
 */
export function recordingDb(db: Db): { db: Db; ran: Map<string, RanStatement>; clear: () => void } {
  const ran = new Map<string, RanStatement>();
  const proxy = new Proxy(db, {
    get(target, key) {
      if (key === 'prepare') {
        return (sql: string) => {
          const st = target.prepare(sql);
          const note = (args: unknown[]) => {
            if (!ran.has(sql)) ran.set(sql, { sql, args });
          };
          return new Proxy(st, {
            get(s, k) {
              const v = Reflect.get(s, k, s);
              if (typeof v !== 'function') return v;
              if (k === 'run' || k === 'get' || k === 'all' || k === 'iterate')
                return (...args: unknown[]) => {
                  note(args);
                  return v.apply(s, args);
                };
              return v.bind(s);
            },
          });
        };
      }
      const v = Reflect.get(target, key, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  return { db: proxy, ran, clear: () => ran.clear() };
}

/**
 * SQLite's plan for a statement (`EXPLAIN QUERY PLAN`), one line per step, e.g. `SEARCH agreements USING INDEX …`
 * or `SCAN agreement_parties` (a scan of the whole table: its cost grows with the table).
 */
export function queryPlan(db: Db, s: RanStatement): string[] {
  return (db.prepare(`EXPLAIN QUERY PLAN ${s.sql}`).all(...s.args) as { detail: string }[]).map(
    (r) => r.detail,
  );
}

/** The statements whose plan scans a whole table (`SCAN t`, with or without an index), each with its plan. */
export function fullScans(db: Db, statements: Iterable<RanStatement>): { sql: string; plan: string[] }[] {
  const out: { sql: string; plan: string[] }[] = [];
  for (const s of statements) {
    const plan = queryPlan(db, s);
    if (plan.some((line) => /^SCAN /.test(line.trim()))) out.push({ sql: s.sql.replace(/\s+/g, ' '), plan });
  }
  return out;
}

/**
 * The indexes made by `CREATE INDEX` on `table` (not those of its keys), each name → its columns in order: which
 * columns an UPDATE setting them would rewrite index entries for.
 */
export function createdIndexes(db: Db, table: string): Record<string, string[]> {
  const columns = (index: string) =>
    (db.prepare(`PRAGMA index_info(${index})`).all() as { name: string }[]).map((c) => c.name);
  return Object.fromEntries(
    (db.prepare(`PRAGMA index_list(${table})`).all() as { name: string; origin: string }[])
      .filter((i) => i.origin === 'c')
      .map((i) => [i.name, columns(i.name)]),
  );
}
