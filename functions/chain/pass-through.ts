import { httpHandler } from '../../shared/http/handler.js';
import { ok } from '../../shared/http/respond.js';
import { PassThroughBody } from '../../shared/schemas/chain.js';
import { chainIn } from '../../shared/usecases/chain/index.js';

export const handler = httpHandler({
  route: 'chain.pass-through',
  body: PassThroughBody,
  run: async ({ body, params, principal, deps }) =>
    ok(await chainIn(deps).passThrough(principal, params.violationId!, body.reason)),
});
