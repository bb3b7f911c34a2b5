import { httpHandler } from '../../shared/http/handler.js';
import { ok } from '../../shared/http/respond.js';
import { ListChangeRequestsQuery } from '../../shared/schemas/governance.js';
import { workflowsIn } from '../../shared/usecases/workflows/index.js';

/** GET /v1/agreements/{agreementId}/change-requests: the agreement's change requests, a page at a time. */
export const handler = httpHandler({
  route: 'agreements.change-requests.list',
  query: ListChangeRequestsQuery,
  run: async ({ params, query, principal, deps }) =>
    ok(await workflowsIn(deps).changeRequests.list(principal, params.agreementId!, query)),
});
