import { httpHandler } from '../../shared/http/handler.js';
import { ok } from '../../shared/http/respond.js';
import { telemetryIn } from '../../shared/usecases/telemetry/index.js';

/** GET /v1/services/{serviceId}/slis: each SLI of the service with data, for its owner. */
export const handler = httpHandler({
  route: 'telemetry.slis',
  run: async ({ params, principal, deps }) =>
    ok({ items: await telemetryIn(deps).queries.slisOf(principal, params.serviceId!) }),
});
