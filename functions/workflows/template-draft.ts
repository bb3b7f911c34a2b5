import { httpHandler } from '../../shared/http/handler.js';
import { versioned } from '../../shared/http/respond.js';
import { TemplateDraftBody } from '../../shared/schemas/governance.js';
import { workflowsIn } from '../../shared/usecases/workflows/index.js';

export const handler = httpHandler({
  route: 'templates.draft',
  body: TemplateDraftBody,
  run: async ({ params, body, principal, basePath, deps }) => {
    const a = await workflowsIn(deps).templates.draft(principal, params.templateId!, body);
    return versioned(a, 201, { Location: `${basePath}/v1/agreements/${a.id}` });
  },
});
