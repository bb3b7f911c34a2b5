import { httpHandler } from '../../shared/http/handler.js';
import { ok } from '../../shared/http/respond.js';
import { TemplateQuery } from '../../shared/schemas/governance.js';
import { workflowsIn } from '../../shared/usecases/workflows/index.js';

export const handler = httpHandler({
  route: 'templates.get',
  query: TemplateQuery,
  run: async ({ params, query, deps }) =>
    ok(workflowsIn(deps).templates.get(params.templateId!, query.version)),
});
