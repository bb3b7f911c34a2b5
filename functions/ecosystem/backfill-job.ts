import { httpHandler } from '../../shared/http/handler.js';
import { ok } from '../../shared/http/respond.js';
import { ecosystemIn } from '../../shared/usecases/ecosystem.js';

/** GET /v1/telemetry/backfills/{jobId}: a backfill job's progress. */
export const handler = httpHandler({
  route: 'ecosystem.backfill-job',
  run: async ({ params, principal, deps }) =>
    ok(await ecosystemIn(deps).backfill.job(principal, params.jobId!)),
});
