import { httpHandler } from '../../shared/http/handler.js';
import { RecordReviewBody } from '../../shared/schemas/chain.js';
import { chainIn } from '../../shared/usecases/chain/index.js';

export const handler = httpHandler({
  route: 'chain.reviews.record',
  body: RecordReviewBody,
  run: async ({ body, params, principal, deps }) => ({
    status: 201,
    body: await chainIn(deps).recordReview(principal, params.agreementId!, body),
  }),
});
