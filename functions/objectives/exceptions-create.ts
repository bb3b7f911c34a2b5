import { httpHandler } from '../../shared/http/handler.js';
import { CreateExceptionWindowBody } from '../../shared/schemas/objectives.js';
import { objectivesIn } from '../../shared/usecases/objectives/index.js';

export const handler = httpHandler({
  route: 'objectives.exceptions.create',
  body: CreateExceptionWindowBody,
  run: async ({ params, body, principal, deps }) => {
    const w = await objectivesIn(deps).requestException(principal, params.agreementId!, body);
    return { status: 201, body: w, headers: { ETag: `"${w.version}"` } };
  },
});
