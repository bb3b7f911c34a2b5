import { httpHandler } from '../../shared/http/handler.js';
import { versioned } from '../../shared/http/respond.js';

export const handler = httpHandler({
  route: 'agreements.get',
  run: async ({ params, principal, deps }) =>
    versioned(await deps.agreements.get(principal, params.agreementId!)),
});
