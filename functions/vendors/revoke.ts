import { httpHandler } from '../../shared/http/handler.js';
import { versioned } from '../../shared/http/respond.js';
import { RevokeBody } from '../../shared/schemas/vendor.js';
import { vendorsIn } from '../../shared/usecases/vendors.js';

export const handler = httpHandler({
  route: 'vendors.revoke',
  body: RevokeBody,
  run: async ({ params, body, ifMatch, principal, deps }) =>
    versioned(await vendorsIn(deps).revoke(principal, params.vendorId!, ifMatch, body)),
});
