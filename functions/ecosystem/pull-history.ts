import { httpHandler } from '../../shared/http/handler.js';
import { ok } from '../../shared/http/respond.js';
import { PullHistoryBody } from '../../shared/http/routes/ecosystem.js';
import { pullIn } from '../../shared/usecases/pull.js';

/** POST /v1/telemetry/pulls: an administrator pulls an agreement's SLI history from its data sources. */
export const handler = httpHandler({
  route: 'ecosystem.pull-history',
  body: PullHistoryBody,
  run: async ({ body, principal, deps }) => ok(await pullIn(deps).pullHistory(principal, body)),
});
