import { httpHandler } from '../../shared/http/handler.js';
import { ok } from '../../shared/http/respond.js';
import { objectivesIn } from '../../shared/usecases/objectives/index.js';

export const handler = httpHandler({
  route: 'objectives.evaluate',
  run: async ({ params, principal, deps }) =>
    ok(await objectivesIn(deps).evaluateAgreement(principal, params.agreementId!)),
});
