import { httpHandler } from '../../shared/http/handler.js';
import { ok } from '../../shared/http/respond.js';
import { ListAgreementsQuery } from '../../shared/schemas/agreement.js';

export const handler = httpHandler({
  route: 'agreements.list',
  query: ListAgreementsQuery,
  run: async ({ query, principal, deps }) => ok(await deps.agreements.list(principal, query)),
});
