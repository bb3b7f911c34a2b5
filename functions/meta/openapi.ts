import { httpHandler } from '../../shared/http/handler.js';
import { buildOpenApi } from '../../shared/http/openapi.js';

/** One rendering per mount point (the stage URL, a custom domain): a handful at most. */
const docs = new Map<string, string>();

export const handler = httpHandler({
  route: 'openapi',
  run: async ({ deps, basePath }) => {
    let doc = docs.get(basePath);
    if (doc === undefined) {
      doc = JSON.stringify(buildOpenApi(deps.config.ACCORD_VERSION, basePath));
      if (docs.size < 16) docs.set(basePath, doc);
    }
    return { status: 200, rawBody: doc, headers: { 'Cache-Control': 'max-age=300' } };
  },
});
