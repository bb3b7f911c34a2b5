import { httpHandler } from '../../shared/http/handler.js';
import { DecideExceptionBody } from '../../shared/schemas/objectives.js';
import { objectivesIn } from '../../shared/usecases/objectives/index.js';

export const handler = httpHandler({
  route: 'objectives.exceptions.decide',
  body: DecideExceptionBody,
  run: async ({ params, body, ifMatch, principal, deps }) => {
    const objectives = objectivesIn(deps);
    const w = await objectives.decideException(
      principal,
      params.agreementId!,
      params.exceptionId!,
      ifMatch,
      body,
    );
    return { status: 200, body: w, headers: { ETag: `"${w.version}"` } };
  },
});
