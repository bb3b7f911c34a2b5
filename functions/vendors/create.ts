import { httpHandler } from '../../shared/http/handler.js';
import { etagOf } from '../../shared/http/respond.js';
import { CreateVendorBody } from '../../shared/schemas/vendor.js';
import { vendorsIn } from '../../shared/usecases/vendors.js';

/** POST /v1/vendors: the vendor and its first API key, which no later response shows again. */
export const handler = httpHandler({
  route: 'vendors.create',
  body: CreateVendorBody,
  run: async ({ body, principal, basePath, deps }) => {
    const issued = await vendorsIn(deps).create(principal, body);
    return {
      status: 201,
      body: issued,
      headers: {
        ETag: etagOf(issued.vendor.version),
        Location: `${basePath}/v1/vendors/${issued.vendor.id}`,
        'Cache-Control': 'no-store',
      },
    };
  },
});
