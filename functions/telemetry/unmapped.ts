import { httpHandler } from '../../shared/http/handler.js';
import { ok } from '../../shared/http/respond.js';
import { TelemetryListQuery } from '../../shared/schemas/telemetry.js';
import { telemetryIn } from '../../shared/usecases/telemetry/index.js';

export const handler = httpHandler({
  route: 'telemetry.unmapped',
  query: TelemetryListQuery,
  run: async ({ query, principal, deps }) =>
    ok({ items: await telemetryIn(deps).queries.unmapped(principal, query) }),
});
