import { httpHandler } from '../../shared/http/handler.js';
import { etagOf } from '../../shared/http/respond.js';
import { RotateVendorKeyBody } from '../../shared/schemas/vendor.js';
import { vendorsIn } from '../../shared/usecases/vendors.js';

/** POST /v1/vendors/{vendorId}/keys: a new key, shown this once; the current keys get their overlap period. */
export const handler = httpHandler({
  route: 'vendors.rotate',
  body: RotateVendorKeyBody,
  run: async ({ params, body, ifMatch, principal, deps }) => {
    const issued = await vendorsIn(deps).rotate(principal, params.vendorId!, ifMatch, body);
    return {
      status: 201,
      body: issued,
      headers: { ETag: etagOf(issued.vendor.version), 'Cache-Control': 'no-store' },
    };
  },
});
