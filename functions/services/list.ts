import { httpHandler } from '../../shared/http/handler.js';
import { ok } from '../../shared/http/respond.js';
import { ListServicesQuery } from '../../shared/schemas/service.js';

export const handler = httpHandler({
  route: 'services.list',
  query: ListServicesQuery,
  run: async ({ query, principal, deps }) => ok(await deps.services.list(principal, query)),
});
