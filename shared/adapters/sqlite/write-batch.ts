import type { Db } from './db.js';

/**
 * Group commit for the embedded workflow engine: `open()` begins one SQLite transaction that commits by itself when
 * the current burst of work ends (the synchronous code and every promise continuation queued behind it, before the
 * event loop runs any timer or I/O callback). Every write of an engine step made in that burst (journal steps,
 * execution state, task tokens and their timers, people's tasks, queued notifications) lands in that one
 * transaction instead of one transaction per write; `db.transaction()` calls inside it become savepoints.
 *
 * Nothing is ever rolled back by the batch: every write it holds was made to be committed (the engine's steps are
 * safe to replay, so a crash before the commit replays them). The engine opens it only in bursts of its own (a replay
 * starts on its own macrotask, timers fire from their interval), and on a request's code path only around answering
 * a token, with a `flush()` before that call returns: a request's writes are committed before it answers, so nothing
 * acknowledged waits on the batch. `flush()` commits at once (before the database is closed, before the engine reports
 * itself idle, when a token has been answered).
 */
export class SqliteWriteBatch {
  private mine = false;
  /** Transactions committed (for the benchmark and tests). */
  commits = 0;

  constructor(
    private readonly db: Db,
    private readonly onError: (error: unknown) => void = () => {},
  ) {}

  /** Begins the burst's transaction unless one is open; it commits when the burst ends. */
  open(): void {
    if (this.mine || !this.db.open || this.db.inTransaction) return;
    this.db.exec('BEGIN IMMEDIATE');
    this.mine = true;
    // A microtask that queues a tick: the tick runs once the microtask queue has drained (Node drains ticks and
    // microtasks alternately before the next macrotask), so the commit follows every continuation of the burst.
    queueMicrotask(() => process.nextTick(() => this.flush()));
  }

  /** Commits the open batch now (no-op when none is open). A failed commit is reported, then rolled back. */
  flush(): void {
    if (!this.mine) return;
    this.mine = false;
    if (!this.db.open || !this.db.inTransaction) return;
    try {
      this.db.exec('COMMIT');
      this.commits++;
    } catch (error) {
      this.onError(error);
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
    }
  }
}
