import { httpHandler } from '../../shared/http/handler.js';
import { ok } from '../../shared/http/respond.js';
import { ListTasksQuery } from '../../shared/schemas/workflows.js';
import { workflowsIn } from '../../shared/usecases/workflows/index.js';

export const handler = httpHandler({
  route: 'tasks.list',
  query: ListTasksQuery,
  run: async ({ query, principal, deps }) => ok(await workflowsIn(deps).tasks.list(principal, query)),
});
