import { httpHandler } from '../../shared/http/handler.js';
import { ok } from '../../shared/http/respond.js';
import { AuditQuery } from '../../shared/schemas/audit.js';

export const handler = httpHandler({
  route: 'agreements.audit',
  query: AuditQuery,
  run: async ({ params, query, principal, deps }) => {
    await deps.agreements.load(principal, 'audit.read', params.agreementId!);
    return ok(await deps.auditQueries.list('agreement', params.agreementId!, query));
  },
});
