import { httpHandler } from '../../shared/http/handler.js';
import { ok } from '../../shared/http/respond.js';
import { PortfolioStatusQuery } from '../../shared/schemas/objectives.js';
import { objectivesIn } from '../../shared/usecases/objectives/index.js';

export const handler = httpHandler({
  route: 'objectives.portfolio-status',
  query: PortfolioStatusQuery,
  run: async ({ query, principal, deps }) => ok(await objectivesIn(deps).portfolioStatus(principal, query)),
});
