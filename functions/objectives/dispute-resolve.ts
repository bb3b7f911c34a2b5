import { httpHandler } from '../../shared/http/handler.js';
import { ok } from '../../shared/http/respond.js';
import { ResolveDisputeBody } from '../../shared/schemas/objectives.js';
import { objectivesIn } from '../../shared/usecases/objectives/index.js';

export const handler = httpHandler({
  route: 'objectives.disputes.resolve',
  body: ResolveDisputeBody,
  run: async ({ params, body, principal, deps }) =>
    ok(await objectivesIn(deps).resolveDispute(principal, params.violationId!, params.disputeId!, body)),
});
