import { getContainer } from '../../shared/runtime/container.js';
import { backfillRunsIn } from '../../shared/usecases/backfill-runs.js';

/**
 * The backfill state machine's last Task (RecordReport): its input is the run's input with `map.results` (the
 * Distributed Map's ResultWriterDetails) or `error` (the map's Catch); the run's report goes to its audit trail.
 */
export const handler = async (event: {
  jobId: string;
  map?: { results?: { Bucket: string; Key: string } };
  error?: { Error?: string; Cause?: string };
}) =>
  backfillRunsIn(await getContainer()).finish({
    jobId: event.jobId,
    results: event.map?.results,
    error: event.error,
  });
