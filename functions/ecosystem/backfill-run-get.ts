import { httpHandler } from '../../shared/http/handler.js';
import { ok } from '../../shared/http/respond.js';
import { backfillRunsIn } from '../../shared/usecases/backfill-runs.js';

/** GET /v1/telemetry/backfill-runs/{runId}: a backfill run's progress and report. */
export const handler = httpHandler({
  route: 'ecosystem.backfill-run-get',
  run: async ({ params, principal, deps }) => ok(await backfillRunsIn(deps).status(principal, params.runId!)),
});
