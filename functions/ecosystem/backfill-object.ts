import { getContainer } from '../../shared/runtime/container.js';
import type { BackfillItem, BackfillItemResult } from '../../shared/usecases/backfill-runs.js';
import { backfillRunsIn } from '../../shared/usecases/backfill-runs.js';

/**
 * The backfill state machine's item processor (infra/workflows/backfill.asl.json, ImportObject): one chunk object of
 * the Distributed Map through the backfill use case. A refused object is answered as a failure, not thrown.
 */
export const handler = async (event: BackfillItem): Promise<BackfillItemResult> =>
  backfillRunsIn(await getContainer()).importObject(event);
