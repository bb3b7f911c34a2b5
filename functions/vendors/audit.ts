import { httpHandler } from '../../shared/http/handler.js';
import { ok } from '../../shared/http/respond.js';
import { AuditQuery } from '../../shared/schemas/audit.js';

export const handler = httpHandler({
  route: 'vendors.audit',
  query: AuditQuery,
  run: async ({ params, query, principal, deps }) =>
    ok(await deps.auditQueries.trail(principal, 'vendor', params.vendorId!, query)),
});
