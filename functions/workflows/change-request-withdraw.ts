import { httpHandler } from '../../shared/http/handler.js';
import { ok } from '../../shared/http/respond.js';
import { WithdrawChangeRequestBody } from '../../shared/schemas/governance.js';
import { workflowsIn } from '../../shared/usecases/workflows/index.js';

export const handler = httpHandler({
  route: 'change-requests.withdraw',
  body: WithdrawChangeRequestBody,
  run: async ({ params, body, principal, deps }) =>
    ok(await workflowsIn(deps).changeRequests.withdraw(principal, params.changeRequestId!, body.reason)),
});
