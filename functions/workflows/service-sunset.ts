import { httpHandler } from '../../shared/http/handler.js';
import { ok } from '../../shared/http/respond.js';
import { LifecycleBody } from '../../shared/schemas/agreement.js';
import { workflowsIn } from '../../shared/usecases/workflows/index.js';

export const handler = httpHandler({
  route: 'services.sunset',
  body: LifecycleBody,
  run: async ({ params, body, ifMatch, principal, deps }) => {
    const r = await workflowsIn(deps).decommission.sunset(principal, params.serviceId!, ifMatch, body.reason);
    return ok(r, { ETag: `"${r.service.version}"` });
  },
});
