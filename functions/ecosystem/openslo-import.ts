import { httpHandler } from '../../shared/http/handler.js';
import { etagOf, ok } from '../../shared/http/respond.js';
import { OpenSloImportQuery } from '../../shared/http/routes/ecosystem.js';
import { ecosystemIn } from '../../shared/usecases/ecosystem.js';

/** POST /v1/agreements/{agreementId}/openslo: an OpenSLO v1 YAML stream into a draft agreement's objectives. */
export const handler = httpHandler<undefined, OpenSloImportQuery>({
  route: 'ecosystem.openslo-import',
  raw: true,
  query: OpenSloImportQuery,
  run: async ({ params, query, headers, rawBody, ifMatch, principal, deps }) => {
    const r = await ecosystemIn(deps).importOpenSlo(principal, {
      agreementId: params.agreementId!,
      expected: ifMatch,
      contentType: headers['content-type'] ?? '',
      body: rawBody,
      reason: query.reason,
      dryRun: query.dryRun === 'true',
    });
    return ok(r, { ETag: etagOf(r.agreement.version) });
  },
});
