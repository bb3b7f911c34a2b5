import { httpHandler } from '../../shared/http/handler.js';
import { ok } from '../../shared/http/respond.js';
import { ArchiveVerifyQuery } from '../../shared/schemas/archive.js';
import { archiveIn } from '../../shared/usecases/reports/archive.js';

export const handler = httpHandler({
  route: 'archive.verify',
  query: ArchiveVerifyQuery,
  run: async ({ query, principal, requestId, deps }) =>
    ok(await archiveIn(deps).verify(principal, query, requestId)),
});
