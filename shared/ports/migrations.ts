/**
 * Data migrations that run beside the service, a bounded step at a time (docs/workflows.md, "Data migrations").
 * A step reads at most `budget` records from `from` (its own opaque position; undefined: the start) and answers how
 * many it read and changed, and where the next step starts (undefined: the migration is done). A step must be safe
 * to run again from the same position (a run cut off after a step and before its checkpoint repeats it) and while
 * the service writes (records written meanwhile are already in the new shape).
 */
export interface DataMigration {
  /** Stable name; the checkpoint is kept under it. */
  readonly id: string;
  readonly description: string;
  step(from: string | undefined, budget: number): Promise<MigrationStep>;
}

/** What one step of a migration did. */
export interface MigrationStep {
  read: number;
  changed: number;
  /** Where the next step starts; absent when the migration has read everything. */
  next?: string;
}

/** Where a migration stands: totals so far, the next position, and when it finished. */
export interface MigrationCheckpoint {
  id: string;
  read: number;
  changed: number;
  next?: string;
  /** ISO 8601, UTC; present once the migration is done (it is not run again). */
  doneAt?: string;
  /** ISO 8601, UTC: the last step recorded. */
  updatedAt: string;
}

/** The checkpoints of the data migrations (DynamoDB: items of the workflows table). */
export interface MigrationCheckpointStore {
  get(id: string): Promise<MigrationCheckpoint | undefined>;
  put(checkpoint: MigrationCheckpoint): Promise<void>;
}
