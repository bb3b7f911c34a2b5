import { httpHandler } from '../../shared/http/handler.js';
import { versioned } from '../../shared/http/respond.js';
import { BindVendorBody } from '../../shared/schemas/vendor.js';
import { vendorsIn } from '../../shared/usecases/vendors.js';

export const handler = httpHandler({
  route: 'vendors.bind',
  body: BindVendorBody,
  run: async ({ params, body, ifMatch, principal, deps }) =>
    versioned(await vendorsIn(deps).bind(principal, params.vendorId!, ifMatch, body)),
});
