import { httpHandler } from '../../shared/http/handler.js';
import { ok } from '../../shared/http/respond.js';
import { workflowsIn } from '../../shared/usecases/workflows/index.js';

export const handler = httpHandler({
  route: 'templates.list',
  run: async ({ deps }) => ok(workflowsIn(deps).templates.list()),
});
