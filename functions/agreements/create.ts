import { httpHandler } from '../../shared/http/handler.js';
import { versioned } from '../../shared/http/respond.js';
import { CreateAgreementBody } from '../../shared/schemas/agreement.js';

export const handler = httpHandler({
  route: 'agreements.create',
  body: CreateAgreementBody,
  run: async ({ body, principal, basePath, deps }) => {
    const a = await deps.agreements.create(principal, body);
    return versioned(a, 201, { Location: `${basePath}/v1/agreements/${a.id}` });
  },
});
