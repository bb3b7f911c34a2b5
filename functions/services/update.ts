import { httpHandler } from '../../shared/http/handler.js';
import { versioned } from '../../shared/http/respond.js';
import { UpdateServiceBody } from '../../shared/schemas/service.js';

export const handler = httpHandler({
  route: 'services.update',
  body: UpdateServiceBody,
  run: async ({ params, body, ifMatch, principal, deps }) =>
    versioned(await deps.services.update(principal, params.serviceId!, ifMatch, body)),
});
