import { httpHandler } from '../../shared/http/handler.js';
import { FreezeExceptionBody } from '../../shared/schemas/governance.js';
import { workflowsIn } from '../../shared/usecases/workflows/index.js';

export const handler = httpHandler({
  route: 'services.freeze-exceptions.create',
  body: FreezeExceptionBody,
  run: async ({ params, body, principal, deps }) => ({
    status: 201,
    body: await workflowsIn(deps).freezeExceptions.request(principal, params.serviceId!, body),
  }),
});
