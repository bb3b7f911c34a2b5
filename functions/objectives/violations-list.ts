import { httpHandler } from '../../shared/http/handler.js';
import { ok } from '../../shared/http/respond.js';
import { ViolationsQuery } from '../../shared/schemas/objectives.js';
import { objectivesIn } from '../../shared/usecases/objectives/index.js';

export const handler = httpHandler({
  route: 'objectives.violations.list',
  query: ViolationsQuery,
  run: async ({ query, principal, deps }) => ok(await objectivesIn(deps).listViolations(principal, query)),
});
