import { httpHandler } from '../../shared/http/handler.js';
import { BackfillRunBody } from '../../shared/http/routes/ecosystem.js';
import { backfillRunsIn } from '../../shared/usecases/backfill-runs.js';

/** POST /v1/telemetry/backfill-runs: starts a Distributed Map over the chunk objects under a prefix (AWS). */
export const handler = httpHandler({
  route: 'ecosystem.backfill-run-start',
  body: BackfillRunBody,
  run: async ({ body, principal, deps }) => ({
    status: 202,
    body: await backfillRunsIn(deps).start(principal, {
      vendorId: body.vendor,
      prefix: body.prefix,
      reason: body.reason,
      declaredTotal: body.total,
      concurrency: body.concurrency,
    }),
  }),
});
