import { httpHandler } from '../../shared/http/handler.js';
import { ok } from '../../shared/http/respond.js';

export const handler = httpHandler({
  route: 'agreements.versions',
  run: async ({ params, principal, deps }) =>
    ok({ items: await deps.agreements.listVersions(principal, params.agreementId!) }),
});
