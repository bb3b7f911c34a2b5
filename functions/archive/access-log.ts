import { httpHandler } from '../../shared/http/handler.js';
import { ok } from '../../shared/http/respond.js';
import { AccessLogQuery } from '../../shared/schemas/archive.js';
import { archiveIn } from '../../shared/usecases/reports/archive.js';

export const handler = httpHandler({
  route: 'archive.access-log',
  query: AccessLogQuery,
  run: async ({ query, principal, deps }) => ok(await archiveIn(deps).accessLog(principal, query)),
});
