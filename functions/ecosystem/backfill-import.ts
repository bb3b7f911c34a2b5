import { httpHandler } from '../../shared/http/handler.js';
import { ok } from '../../shared/http/respond.js';
import { BackfillQuery } from '../../shared/http/routes/ecosystem.js';
import { ecosystemIn } from '../../shared/usecases/ecosystem.js';

/** POST /v1/telemetry/backfills: one chunk of an OpenMetrics or CSV backfill file into an import job. */
export const handler = httpHandler<undefined, BackfillQuery>({
  route: 'ecosystem.backfill-import',
  raw: true,
  query: BackfillQuery,
  run: async ({ query, headers, rawBody, principal, deps }) =>
    ok(
      await ecosystemIn(deps).backfill.importChunk(principal, {
        vendorId: query.vendor,
        contentType: headers['content-type'] ?? '',
        contentEncoding: headers['content-encoding'],
        body: rawBody,
        reason: query.reason,
        jobId: query.job,
        declaredTotal: query.total,
      }),
    ),
});
