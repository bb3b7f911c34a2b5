import { httpHandler } from '../../shared/http/handler.js';
import { ok } from '../../shared/http/respond.js';
import { objectivesIn } from '../../shared/usecases/objectives/index.js';

export const handler = httpHandler({
  route: 'objectives.service-status',
  run: async ({ params, principal, deps }) =>
    ok(await objectivesIn(deps).statusOfService(principal, params.serviceId!)),
});
