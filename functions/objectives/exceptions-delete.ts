import { httpHandler } from '../../shared/http/handler.js';
import { objectivesIn } from '../../shared/usecases/objectives/index.js';

export const handler = httpHandler({
  route: 'objectives.exceptions.delete',
  run: async ({ params, principal, deps }) => {
    await objectivesIn(deps).deleteException(principal, params.agreementId!, params.exceptionId!);
    return { status: 204 };
  },
});
