import { httpHandler } from '../../shared/http/handler.js';
import { ecosystemIn } from '../../shared/usecases/ecosystem.js';

/** GET /v1/agreements/{agreementId}/openslo: the objectives as OpenSLO v1 YAML. */
export const handler = httpHandler({
  route: 'ecosystem.openslo-export',
  run: async ({ params, principal, deps }) => {
    const r = await ecosystemIn(deps).exportOpenSlo(principal, params.agreementId!);
    return {
      status: 200,
      rawBody: r.yaml,
      headers: {
        'Content-Type': 'application/yaml; charset=utf-8',
        'X-Accord-Not-Expressed': r.notExpressed.map((n) => n.path).join(', ') || 'none',
      },
    };
  },
});
