import { httpHandler } from '../../shared/http/handler.js';
import { versioned } from '../../shared/http/respond.js';

export const handler = httpHandler({
  route: 'vendors.get',
  run: async ({ params, principal, deps }) => versioned(await deps.vendors.get(principal, params.vendorId!)),
});
