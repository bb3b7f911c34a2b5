import { httpHandler } from '../../shared/http/handler.js';
import { ok } from '../../shared/http/respond.js';
import { VendorTriggersBody } from '../../shared/schemas/chain.js';
import { chainIn } from '../../shared/usecases/chain/index.js';

export const handler = httpHandler({
  route: 'chain.vendor-triggers',
  body: VendorTriggersBody,
  run: async ({ params, principal, deps }) =>
    ok(await chainIn(deps).openTriggeredTasks(principal, params.vendorId!)),
});
