import { httpHandler } from '../../shared/http/handler.js';
import { ok } from '../../shared/http/respond.js';
import { ArchiveListQuery } from '../../shared/schemas/archive.js';
import { archiveIn } from '../../shared/usecases/reports/archive.js';

export const handler = httpHandler({
  route: 'archive.list',
  query: ArchiveListQuery,
  run: async ({ query, principal, requestId, deps }) =>
    ok(await archiveIn(deps).list(principal, query, requestId)),
});
