import { httpHandler } from '../../shared/http/handler.js';
import { exposition } from '../../shared/runtime/metrics.js';
import { ecosystemIn } from '../../shared/usecases/ecosystem.js';

/** GET /metrics: Accord's own health and every objective's figures, in the Prometheus exposition format. */
export const handler = httpHandler({
  route: 'ecosystem.metrics',
  run: async ({ principal, deps }) => {
    const m = await exposition(await ecosystemIn(deps).metricsResults(principal));
    return { status: 200, rawBody: m.text, headers: { 'Content-Type': m.contentType } };
  },
});
