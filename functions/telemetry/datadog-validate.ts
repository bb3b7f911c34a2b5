import { httpHandler } from '../../shared/http/handler.js';
import { ok } from '../../shared/http/respond.js';
import { DatadogValidateQuery } from '../../shared/schemas/vendor.js';
import { vendorsIn } from '../../shared/usecases/vendors.js';

/** GET /api/v1/validate: the Datadog Agent's key check. The authorizer refused a bad key (403); this re-checks it. */
export const handler = httpHandler({
  route: 'datadog.validate',
  query: DatadogValidateQuery,
  run: async ({ principal, deps }) => {
    await vendorsIn(deps).admitDatadog(principal.vendorId ?? '', principal.vendorKeyId);
    return ok({ valid: true });
  },
});
