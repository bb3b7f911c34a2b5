import { httpHandler } from '../../shared/http/handler.js';
import { ok } from '../../shared/http/respond.js';
import { timedEvaluation } from '../../shared/runtime/observe.js';
import { objectivesIn } from '../../shared/usecases/objectives/index.js';

export const handler = httpHandler({
  route: 'objectives.evaluate',
  run: async ({ params, principal, deps }) =>
    ok(
      await timedEvaluation('on-demand', () =>
        objectivesIn(deps).evaluateAgreement(principal, params.agreementId!),
      ),
    ),
});
