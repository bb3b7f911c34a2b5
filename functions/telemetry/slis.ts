import { httpHandler } from '../../shared/http/handler.js';
import { ok } from '../../shared/http/respond.js';
import { ListSlisQuery } from '../../shared/schemas/telemetry.js';
import { telemetryIn } from '../../shared/usecases/telemetry/index.js';

/** GET /v1/services/{serviceId}/slis: each SLI of the service with data, for its owner, a page at a time. */
export const handler = httpHandler({
  route: 'telemetry.slis',
  query: ListSlisQuery,
  run: async ({ params, query, principal, deps }) =>
    ok(await telemetryIn(deps).queries.slisOf(principal, params.serviceId!, query)),
});
