import { httpHandler } from '../../shared/http/handler.js';
import { versioned } from '../../shared/http/respond.js';
import { SignOffBody } from '../../shared/schemas/agreement.js';

export const handler = httpHandler({
  route: 'agreements.signoff',
  body: SignOffBody,
  run: async ({ params, body, ifMatch, principal, deps }) =>
    versioned(await deps.agreements.signOff(principal, params.agreementId!, ifMatch, body)),
});
