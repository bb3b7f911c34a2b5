import { httpHandler } from '../../shared/http/handler.js';
import { versioned } from '../../shared/http/respond.js';
import { vendorsIn } from '../../shared/usecases/vendors.js';

export const handler = httpHandler({
  route: 'vendors.get',
  run: async ({ params, principal, deps }) =>
    versioned(await vendorsIn(deps).get(principal, params.vendorId!)),
});
