import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Commentary } from '../../domain/reports/model.js';
import type { CommentaryRequest, CommentaryWindow } from '../../ports/reports.js';

const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '_');

/**
 * Commentary windows on the embedded default, until the workflows' task port: a request is written to
 * `<dir>/<publication id>/request.json`; commentary is read from `<dir>/<publication id>/*.commentary.json`
 * (each `{agreementId, objectiveId, author, at, text}`), as a task's answer would be recorded.
 */
export class FileCommentaryWindow implements CommentaryWindow {
  constructor(private readonly dir: string) {}
  async open(req: CommentaryRequest): Promise<void> {
    const dir = join(this.dir, safe(req.publicationId));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'request.json'), `${JSON.stringify(req, null, 2)}\n`);
  }
  async collect(publicationId: string): Promise<Commentary[]> {
    const dir = join(this.dir, safe(publicationId));
    let names: string[];
    try {
      names = readdirSync(dir)
        .filter((n) => n.endsWith('.commentary.json'))
        .sort();
    } catch {
      return [];
    }
    return names.map((n) => JSON.parse(readFileSync(join(dir, n), 'utf8')) as Commentary);
  }
}
