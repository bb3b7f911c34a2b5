import { httpHandler } from '../../shared/http/handler.js';
import { ok } from '../../shared/http/respond.js';
import { BaselineBody } from '../../shared/schemas/objectives.js';
import { objectivesIn } from '../../shared/usecases/objectives/index.js';

export const handler = httpHandler({
  route: 'objectives.baseline',
  body: BaselineBody,
  run: async ({ params, body, principal, deps }) =>
    ok(await objectivesIn(deps).baseline(principal, params.serviceId!, body)),
});
