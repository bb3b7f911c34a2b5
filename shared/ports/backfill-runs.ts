/**
 * Ports of the backfill run (docs/backfill.md, "Large files on AWS"): a file too large for one request is uploaded as
 * chunk objects under a prefix of the backfill bucket and imported by a Step Functions Distributed Map, one child
 * execution per object.
 */

/** What a run's execution starts with (the state machine's input, infra/workflows/backfill.asl.json). */
export interface BackfillRunInput {
  /** The run's id, which is also its import job's id (`bf_<uuid>`) and the execution's name. */
  jobId: string;
  /** The vendor whose mapping rules read the objects' series. */
  vendorId: string;
  /** The key prefix of the chunk objects in the backfill bucket (the Distributed Map lists it). */
  prefix: string;
  reason: string;
  /** The administrator who started the run (the subject of every chunk's audit entry). */
  by: string;
  /** Child executions at once (the Map's MaxConcurrency): 1 keeps key order, so counters may span objects. */
  concurrency: number;
  declaredTotal: number | null;
}

/** Starts a run's execution. */
export interface BackfillRunStarter {
  /**
   * Starts the execution named after `input.jobId` (idempotent: the same name twice starts once).
   * @returns the execution's id (an ARN on AWS)
   */
  start(input: BackfillRunInput): Promise<{ executionId: string }>;
}

/** Reads objects of the backfill bucket: the chunk objects and the Distributed Map's result files. */
export interface BackfillObjectReader {
  /**
   * One object's bytes and content type.
   * @throws NotFoundError (404 kind) when the object does not exist
   */
  read(bucket: string, key: string): Promise<{ body: Buffer; contentType?: string | undefined }>;
}
