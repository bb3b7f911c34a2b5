import { httpHandler } from '../../shared/http/handler.js';
import { versioned } from '../../shared/http/respond.js';
import { CreateServiceBody } from '../../shared/schemas/service.js';

export const handler = httpHandler({
  route: 'services.create',
  body: CreateServiceBody,
  run: async ({ body, principal, basePath, deps }) => {
    const s = await deps.services.register(principal, body);
    return versioned(s, 201, { Location: `${basePath}/v1/services/${s.id}` });
  },
});
