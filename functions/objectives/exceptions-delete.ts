import { httpHandler } from '../../shared/http/handler.js';
import { RevokeExceptionBody } from '../../shared/schemas/objectives.js';
import { objectivesIn } from '../../shared/usecases/objectives/index.js';

export const handler = httpHandler({
  route: 'objectives.exceptions.delete',
  body: RevokeExceptionBody,
  run: async ({ params, body, ifMatch, principal, deps }) => {
    const objectives = objectivesIn(deps);
    const w = await objectives.revokeException(
      principal,
      params.agreementId!,
      params.exceptionId!,
      ifMatch,
      body.reason,
    );
    return { status: 200, body: w, headers: { ETag: `"${w.version}"` } };
  },
});
