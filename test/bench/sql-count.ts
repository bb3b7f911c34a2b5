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

/** Statements run while counting is on, by their SQL text. */
export interface SqlCounts {
  total: number;
  bySql: Map<string, number>;
  /** With `timed`: wall and CPU milliseconds spent in `exec` (BEGIN, COMMIT), by SQL text. */
  execMs: Map<string, { wall: number; cpu: number }>;
}

let installed = false;
let counting: SqlCounts | undefined;

function note(sql: string): void {
  if (!counting) return;
  counting.total++;
  if (timed) counting.bySql.set(sql, (counting.bySql.get(sql) ?? 0) + 1);
}

let timed = false;

function install(): void {
  if (installed) return;
  installed = true;
  const probe = new Database(':memory:');
  const statement = Object.getPrototypeOf(probe.prepare('SELECT 1')) as Record<string, unknown>;
  probe.close();
  for (const method of ['run', 'get', 'all', 'iterate'] as const) {
    const original = statement[method] as (this: { source: string }, ...args: unknown[]) => unknown;
    statement[method] = function (this: { source: string }, ...args: unknown[]) {
      // The statement's text only when it is listed: `source` builds a new string per read.
      if (counting) {
        if (timed) note(this.source);
        else counting.total++;
      }
      return original.apply(this, args);
    };
  }
  const db = Database.prototype as unknown as Record<string, unknown>;
  const exec = db.exec as (this: unknown, sql: string) => unknown;
  db.exec = function (this: unknown, sql: string) {
    note(sql);
    if (!timed || !counting) return exec.call(this, sql);
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    try {
      return exec.call(this, sql);
    } finally {
      const t = counting.execMs.get(sql) ?? { wall: 0, cpu: 0 };
      const c = process.cpuUsage(c0);
      t.wall += performance.now() - t0;
      t.cpu += (c.user + c.system) / 1000;
      counting.execMs.set(sql, t);
    }
  };
}

/**
 * Starts counting (installing the shim on first use); the returned function stops and gives the counts. `detail`: also
 * counts by statement text (`bySql`, else empty) and times each `exec` (two clock reads and a `getrusage` per call:
 * for a diagnosis, not a figure).
 */
export function countSql(detail = false): () => SqlCounts {
  install();
  timed = detail;
  const mine: SqlCounts = { total: 0, bySql: new Map(), execMs: new Map() };
  counting = mine;
  return () => {
    if (counting === mine) counting = undefined;
    return mine;
  };
}

/** The `top` most frequent statements, each as `count  per-unit  sql` (first 160 characters), for a log. */
export function formatCounts(c: SqlCounts, per: number, top = 40): string {
  const merged = new Map<string, number>();
  for (const [sql, n] of c.bySql) {
    const key = sql.replace(/\s+/g, ' ').trim();
    merged.set(key, (merged.get(key) ?? 0) + n);
  }
  const lines = [...merged.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([sql, n]) => `${String(n).padStart(8)} ${(n / per).toFixed(2).padStart(7)}  ${sql.slice(0, 160)}`);
  for (const [sql, t] of c.execMs)
    lines.push(
      `exec ${sql}: ${(t.wall / per).toFixed(3)} ms wall, ${(t.cpu / per).toFixed(3)} ms CPU per unit`,
    );
  return lines.join('\n');
}
