import { httpHandler } from '../../shared/http/handler.js';
import { ChangeRequestBody } from '../../shared/schemas/governance.js';
import { workflowsIn } from '../../shared/usecases/workflows/index.js';

export const handler = httpHandler({
  route: 'agreements.change-requests.create',
  body: ChangeRequestBody,
  run: async ({ params, body, principal, basePath, deps }) => {
    const r = await workflowsIn(deps).changeRequests.request(principal, params.agreementId!, body);
    return { status: 201, body: r, headers: { Location: `${basePath}/v1/change-requests/${r.id}` } };
  },
});
