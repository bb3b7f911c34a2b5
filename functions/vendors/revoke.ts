import { httpHandler } from '../../shared/http/handler.js';
import { versioned } from '../../shared/http/respond.js';
import { RevokeBody } from '../../shared/schemas/vendor.js';

export const handler = httpHandler({
  route: 'vendors.revoke',
  body: RevokeBody,
  run: async ({ params, body, ifMatch, principal, deps }) =>
    versioned(await deps.vendors.revoke(principal, params.vendorId!, ifMatch, body)),
});
