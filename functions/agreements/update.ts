import { httpHandler } from '../../shared/http/handler.js';
import { versioned } from '../../shared/http/respond.js';
import { UpdateAgreementBody } from '../../shared/schemas/agreement.js';

export const handler = httpHandler({
  route: 'agreements.update',
  body: UpdateAgreementBody,
  run: async ({ params, body, ifMatch, principal, deps }) =>
    versioned(await deps.agreements.update(principal, params.agreementId!, ifMatch, body)),
});
