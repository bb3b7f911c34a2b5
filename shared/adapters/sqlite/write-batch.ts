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
 * starts on its own macrotask, timers fire from their interval); on a request's code path it is opened only by
 * `unit()` (an agreement change with the workflow's hook, answering a token), which commits it before that call
 * returns: a request's writes are committed before it answers, so nothing acknowledged waits on the batch. `flush()` commits at once (before the database is closed, before the engine reports
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
    try {
      this.commit();
    } catch (error) {
      this.onError(error);
    }
  }

  /**
   * One unit of work on a request's path: `work`'s writes (and every other write of its burst) are one transaction,
   * committed before this returns; a commit that fails is rolled back and thrown, so the caller does not answer as
   * if its writes were kept. Called while a batch is open (from inside an engine step, or a unit already running), it
   * joins that batch and leaves the commit to whoever opened it. When `work` outlives its burst, the batch commits at
   * the burst's end as usual and this commits whatever is open when `work` ends. Nothing is rolled back when `work`
   * throws: what it wrote before throwing is committed, as it was when each write committed by itself (a write that
   * must be all or nothing is a `db.transaction`, a savepoint in here).
   */
  async unit<T>(work: () => Promise<T>): Promise<T> {
    if (this.mine || !this.db.open || this.db.inTransaction) return work();
    this.open();
    try {
      return await work();
    } finally {
      this.commit();
    }
  }

  /** Commits the open batch; a failed commit is rolled back and thrown. */
  private commit(): void {
    if (!this.mine) return;
    this.mine = false;
    if (!this.db.open || !this.db.inTransaction) return;
    try {
      this.db.exec('COMMIT');
      this.commits++;
    } catch (error) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw error;
    }
  }
}
