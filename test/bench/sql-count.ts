/**
 * Counts the SQL statements better-sqlite3 runs, per statement text: a counting shim over the prepared statement's
 * `run`, `get`, `all` and `iterate` and the database's `exec` (BEGIN, COMMIT), installed once on their prototypes
 * so every connection the process opens is counted. A `db.transaction()` function counts too: better-sqlite3 runs its
 * BEGIN, SAVEPOINT, COMMIT and RELEASE as prepared statements of its own.
 *
 * A figure that does not depend on the machine's load: the benchmark reports statements per approval beside its
 * timings, which move two- to threefold on a shared machine.
 */
import Database from 'better-sqlite3';

/** Statements run while counting is on, by their SQL text (whitespace collapsed). */
export interface SqlCounts {
  total: number;
  bySql: Map<string, number>;
}

let installed = false;
let counting: SqlCounts | undefined;

function note(sql: string): void {
  if (!counting) return;
  counting.total++;
  const key = sql.replace(/\s+/g, ' ').trim();
  counting.bySql.set(key, (counting.bySql.get(key) ?? 0) + 1);
}

function install(): void {
  if (installed) return;
  installed = true;
  const probe = new Database(':memory:');
  const statement = Object.getPrototypeOf(probe.prepare('SELECT 1')) as Record<string, unknown>;
  probe.close();
  for (const method of ['run', 'get', 'all', 'iterate'] as const) {
    const original = statement[method] as (this: { source: string }, ...args: unknown[]) => unknown;
    statement[method] = function (this: { source: string }, ...args: unknown[]) {
      note(this.source);
      return original.apply(this, args);
    };
  }
  const db = Database.prototype as unknown as Record<string, unknown>;
  const exec = db.exec as (this: unknown, sql: string) => unknown;
  db.exec = function (this: unknown, sql: string) {
    note(sql);
    return exec.call(this, sql);
  };
}

/** Starts counting (installing the shim on first use); the returned function stops and gives the counts. */
export function countSql(): () => SqlCounts {
  install();
  const mine: SqlCounts = { total: 0, bySql: new Map() };
  counting = mine;
  return () => {
    if (counting === mine) counting = undefined;
    return mine;
  };
}

/** The `top` most frequent statements, each as `count  per-unit  sql` (first 160 characters), for a log. */
export function formatCounts(c: SqlCounts, per: number, top = 40): string {
  return [...c.bySql.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([sql, n]) => `${String(n).padStart(8)} ${(n / per).toFixed(2).padStart(7)}  ${sql.slice(0, 160)}`)
    .join('\n');
}
