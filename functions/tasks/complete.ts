import { httpHandler } from '../../shared/http/handler.js';
import { ok } from '../../shared/http/respond.js';
import { CompleteTaskBody } from '../../shared/schemas/workflows.js';
import { workflowsIn } from '../../shared/usecases/workflows/index.js';

export const handler = httpHandler({
  route: 'tasks.complete',
  body: CompleteTaskBody,
  run: async ({ params, body, principal, deps }) =>
    ok(await workflowsIn(deps).tasks.complete(principal, params.taskId!, body)),
});
