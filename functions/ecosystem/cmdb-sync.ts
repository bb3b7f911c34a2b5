import { httpHandler } from '../../shared/http/handler.js';
import { ok } from '../../shared/http/respond.js';
import { CmdbSyncQuery } from '../../shared/http/routes/ecosystem.js';
import { cmdbIn } from '../../shared/usecases/cmdb.js';

/** POST /v1/cmdb/sync: a ServiceNow cmdb_ci_service export (JSON or CSV) against the service catalogue. */
export const handler = httpHandler<undefined, CmdbSyncQuery>({
  route: 'ecosystem.cmdb-sync',
  raw: true,
  query: CmdbSyncQuery,
  run: async ({ query, headers, rawBody, principal, deps }) =>
    ok(
      await cmdbIn(deps).sync(principal, {
        contentType: headers['content-type'] ?? '',
        body: rawBody,
        file: query.file,
        apply: query.apply === 'true',
        maxWrites: query.maxWrites,
      }),
    ),
});
