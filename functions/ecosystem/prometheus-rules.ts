import { httpHandler } from '../../shared/http/handler.js';
import { ecosystemIn } from '../../shared/usecases/ecosystem.js';

/** GET /v1/agreements/{agreementId}/prometheus-rules: a rule file for the objectives that come from Prometheus. */
export const handler = httpHandler({
  route: 'ecosystem.prometheus-rules',
  run: async ({ params, principal, deps }) => {
    const r = await ecosystemIn(deps).prometheusRules(principal, params.agreementId!);
    return {
      status: 200,
      rawBody: r.yaml,
      headers: {
        'Content-Type': 'application/yaml; charset=utf-8',
        'X-Accord-Rule-Groups': String(r.groups),
        'X-Accord-Skipped': String(r.skipped.length),
      },
    };
  },
});
