import { httpHandler } from '../../shared/http/handler.js';
import { ok } from '../../shared/http/respond.js';
import { TimeRangeQuery } from '../../shared/schemas/objectives.js';
import { objectivesIn } from '../../shared/usecases/objectives/index.js';

export const handler = httpHandler({
  route: 'objectives.exceptions.list',
  query: TimeRangeQuery,
  run: async ({ params, query, principal, deps }) =>
    ok(await objectivesIn(deps).listExceptions(principal, params.agreementId!, query)),
});
