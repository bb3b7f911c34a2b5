import { httpHandler } from '../../shared/http/handler.js';
import { versioned } from '../../shared/http/respond.js';
import { RevokeBody } from '../../shared/schemas/vendor.js';

export const handler = httpHandler({
  route: 'vendors.revokeKey',
  body: RevokeBody,
  run: async ({ params, body, ifMatch, principal, deps }) =>
    versioned(await deps.vendors.revokeKey(principal, params.vendorId!, params.keyId!, ifMatch, body)),
});
