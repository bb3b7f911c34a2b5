import { httpHandler } from '../../shared/http/handler.js';
import { versioned } from '../../shared/http/respond.js';
import { LifecycleBody } from '../../shared/schemas/agreement.js';

export const handler = httpHandler({
  route: 'agreements.expire',
  body: LifecycleBody,
  run: async ({ params, body, ifMatch, principal, deps }) =>
    versioned(await deps.agreements.end(principal, params.agreementId!, ifMatch, 'expire', body.reason)),
});
