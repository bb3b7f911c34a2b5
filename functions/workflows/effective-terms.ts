import { httpHandler } from '../../shared/http/handler.js';
import { ok } from '../../shared/http/respond.js';
import { workflowsIn } from '../../shared/usecases/workflows/index.js';

export const handler = httpHandler({
  route: 'agreements.effective-terms',
  run: async ({ params, principal, deps }) =>
    ok(await workflowsIn(deps).modular.effective(principal, params.agreementId!)),
});
