import { httpHandler } from '../../shared/http/handler.js';
import { buildOpenApi } from '../../shared/http/openapi.js';

let doc: string | undefined;

export const handler = httpHandler({
  route: 'openapi',
  run: async ({ deps }) => {
    doc ??= JSON.stringify(buildOpenApi(deps.config.ACCORD_VERSION));
    return { status: 200, rawBody: doc, headers: { 'Cache-Control': 'max-age=300' } };
  },
});
