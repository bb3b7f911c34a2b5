import { httpHandler } from '../../shared/http/handler.js';
import { ok } from '../../shared/http/respond.js';
import { workflowsIn } from '../../shared/usecases/workflows/index.js';
import { agreementExecutions } from '../../shared/usecases/workflows/tasks.js';

export const handler = httpHandler({
  route: 'agreements.workflows',
  run: async ({ params, principal, deps }) =>
    ok(await agreementExecutions(deps.agreements, workflowsIn(deps).engine, principal, params.agreementId!)),
});
