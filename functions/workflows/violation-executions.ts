import { httpHandler } from '../../shared/http/handler.js';
import { ok } from '../../shared/http/respond.js';
import { objectivesIn } from '../../shared/usecases/objectives/index.js';
import { workflowsIn } from '../../shared/usecases/workflows/index.js';

export const handler = httpHandler({
  route: 'violations.workflows',
  run: async ({ params, principal, deps }) =>
    ok(await workflowsIn(deps).remediation.executions(principal, params.violationId!, objectivesIn(deps))),
});
