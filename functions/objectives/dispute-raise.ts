import { httpHandler } from '../../shared/http/handler.js';
import { DisputeBody } from '../../shared/schemas/objectives.js';
import { objectivesIn } from '../../shared/usecases/objectives/index.js';

export const handler = httpHandler({
  route: 'objectives.disputes.raise',
  body: DisputeBody,
  run: async ({ params, body, principal, deps }) => ({
    status: 201,
    body: await objectivesIn(deps).raiseDispute(principal, params.violationId!, body),
  }),
});
