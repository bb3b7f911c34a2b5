import { NotFoundError } from '../../domain/errors.js';
import type { BackfillObjectReader } from '../../ports/backfill-runs.js';

/** Objects held in memory, by bucket and key (tests, and the local run of the backfill state machine). */
export class MemoryBackfillObjects implements BackfillObjectReader {
  readonly objects = new Map<string, { body: Buffer; contentType?: string | undefined }>();

  put(bucket: string, key: string, body: string | Buffer, contentType?: string): void {
    this.objects.set(`${bucket}/${key}`, { body: Buffer.from(body), contentType });
  }

  /** Keys under a prefix in UTF-8 order with their sizes, as ListObjectsV2 lists them (the map's ItemReader). */
  list(bucket: string, prefix: string): { Key: string; Size: number }[] {
    return [...this.objects]
      .filter(([k]) => k.startsWith(`${bucket}/${prefix}`))
      .map(([k, v]) => ({ Key: k.slice(bucket.length + 1), Size: v.body.length }))
      .sort((a, b) => Buffer.compare(Buffer.from(a.Key), Buffer.from(b.Key)));
  }

  async read(bucket: string, key: string): Promise<{ body: Buffer; contentType?: string | undefined }> {
    const o = this.objects.get(`${bucket}/${key}`);
    if (!o)
      throw new NotFoundError(`there is no object ${key} in the backfill bucket`, [
        { path: key, problem: 'no such key' },
      ]);
    return o;
  }
}
