import { httpHandler } from '../../shared/http/handler.js';
import { ok } from '../../shared/http/respond.js';
import { ListVendorsQuery } from '../../shared/schemas/vendor.js';
import { vendorsIn } from '../../shared/usecases/vendors.js';

export const handler = httpHandler({
  route: 'vendors.list',
  query: ListVendorsQuery,
  run: async ({ query, principal, deps }) => ok(await vendorsIn(deps).list(principal, query)),
});
