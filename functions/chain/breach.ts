import { httpHandler } from '../../shared/http/handler.js';
import { ok } from '../../shared/http/respond.js';
import { chainIn } from '../../shared/usecases/chain/index.js';

export const handler = httpHandler({
  route: 'chain.breach',
  run: async ({ params, principal, deps }) => ok(await chainIn(deps).breach(principal, params.violationId!)),
});
