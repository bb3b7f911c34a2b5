import { httpHandler } from '../../shared/http/handler.js';
import { ok } from '../../shared/http/respond.js';

export const handler = httpHandler({
  route: 'health',
  run: async ({ deps }) => ok({ status: 'ok', version: deps.config.ACCORD_VERSION }),
});
