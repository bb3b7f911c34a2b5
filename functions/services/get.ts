import { httpHandler } from '../../shared/http/handler.js';
import { versioned } from '../../shared/http/respond.js';

export const handler = httpHandler({
  route: 'services.get',
  run: async ({ params, principal, deps }) =>
    versioned(await deps.services.get(principal, params.serviceId!)),
});
