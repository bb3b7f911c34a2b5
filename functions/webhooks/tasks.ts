import { httpHandler } from '../../shared/http/handler.js';
import { ok } from '../../shared/http/respond.js';
import { workflowsIn } from '../../shared/usecases/workflows/index.js';

export const handler = httpHandler({
  route: 'webhooks.tasks',
  raw: true,
  run: async ({ headers, rawBody, deps }) =>
    ok(await workflowsIn(deps).tasks.inbound(headers, rawBody.toString('utf8'))),
});
