import type { Clock } from '../ports/clock.js';
import type { DataMigration, MigrationCheckpoint, MigrationCheckpointStore } from '../ports/migrations.js';

/** What one run did to one migration. */
export interface MigrationProgress {
  id: string;
  /** Records read and changed by this run. */
  read: number;
  changed: number;
  /** Done (now or before): it is not run again. */
  done: boolean;
}

/**
 * Runs the pending data migrations in order, resuming each from its checkpoint, within a budget of records read per
 * run; the checkpoint is written after every step, so a run that is cut off (a Lambda timeout) loses at most one
 * step, which the next run repeats (steps are safe to repeat). A migration that throws stops the run: the error
 * propagates with its checkpoint as the last step left it, and the next run resumes there.
 */
export class DataMigrations {
  constructor(
    private readonly deps: {
      migrations: readonly DataMigration[];
      checkpoints: MigrationCheckpointStore;
      clock: Clock;
      /** Records read per step (default 200). */
      stepSize?: number;
    },
  ) {}

  /** Runs the pending migrations until `budget` records have been read (at least one step each run). */
  async run(budget: number): Promise<MigrationProgress[]> {
    const out: MigrationProgress[] = [];
    let left = budget;
    for (const m of this.deps.migrations) {
      let cp: MigrationCheckpoint = (await this.deps.checkpoints.get(m.id)) ?? {
        id: m.id,
        read: 0,
        changed: 0,
        updatedAt: this.deps.clock.now().toISOString(),
      };
      const progress: MigrationProgress = { id: m.id, read: 0, changed: 0, done: cp.doneAt !== undefined };
      out.push(progress);
      while (!progress.done && left > 0) {
        const s = await m.step(cp.next, Math.min(left, this.deps.stepSize ?? 200));
        left -= Math.max(1, s.read);
        progress.read += s.read;
        progress.changed += s.changed;
        const at = this.deps.clock.now().toISOString();
        const { next: _previous, ...rest } = cp;
        cp = {
          ...rest,
          read: cp.read + s.read,
          changed: cp.changed + s.changed,
          updatedAt: at,
          ...(s.next === undefined ? { doneAt: at } : { next: s.next }),
        };
        await this.deps.checkpoints.put(cp);
        progress.done = s.next === undefined;
      }
    }
    return out;
  }
}
