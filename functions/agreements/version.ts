import { httpHandler } from '../../shared/http/handler.js';
import { versioned } from '../../shared/http/respond.js';

export const handler = httpHandler({
  route: 'agreements.version',
  run: async ({ params, principal, deps }) =>
    versioned(await deps.agreements.getVersion(principal, params.agreementId!, Number(params.version))),
});
