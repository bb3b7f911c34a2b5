import { httpHandler } from '../../shared/http/handler.js';
import { file, ok } from '../../shared/http/respond.js';
import { ArchiveDownloadQuery } from '../../shared/schemas/archive.js';
import { archiveIn } from '../../shared/usecases/reports/archive.js';

export const handler = httpHandler({
  route: 'archive.download',
  query: ArchiveDownloadQuery,
  run: async ({ query, principal, requestId, deps }) => {
    const d = await archiveIn(deps).download(principal, query.key, requestId);
    if (d.kind === 'link') return ok({ key: d.key, url: d.url, expiresAt: d.expiresAt, sha256: d.sha256 });
    const res = file(d.body, d.contentType, d.fileName);
    return { ...res, headers: { ...res.headers, 'X-Archive-SHA256': d.sha256 } };
  },
});
