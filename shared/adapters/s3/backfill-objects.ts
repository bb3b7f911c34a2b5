import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { NotFoundError } from '../../domain/errors.js';
import type { BackfillObjectReader } from '../../ports/backfill-runs.js';

/** Reads the backfill bucket's objects (chunk objects, the Distributed Map's result files) with GetObject. */
export class S3BackfillObjects implements BackfillObjectReader {
  constructor(private readonly s3: S3Client) {}

  async read(bucket: string, key: string): Promise<{ body: Buffer; contentType?: string | undefined }> {
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const bytes = await out.Body!.transformToByteArray();
      return { body: Buffer.from(bytes), contentType: out.ContentType };
    } catch (e) {
      if ((e as Error).name === 'NoSuchKey')
        throw new NotFoundError(`there is no object ${key} in the backfill bucket`, [
          { path: key, problem: 'no such key' },
        ]);
      throw e;
    }
  }
}
