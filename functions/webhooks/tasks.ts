import { httpHandler } from '../../shared/http/handler.js';
import { ok } from '../../shared/http/respond.js';
import { InboundTaskWebhook } from '../../shared/schemas/workflows.js';
import { workflowsIn } from '../../shared/usecases/workflows/index.js';

/**
 * POST /v1/webhooks/tasks. The body is validated first, as API Gateway's request model does on AWS before the
 * function runs; the use case then checks the signature over the bytes as sent.
 */
export const handler = httpHandler({
  route: 'webhooks.tasks',
  body: InboundTaskWebhook,
  run: async ({ headers, rawBody, deps }) =>
    ok(await workflowsIn(deps).tasks.inbound(headers, rawBody.toString('utf8'))),
});
